package io.hapireindex.it;

import io.hapireindex.config.ReindexProperties;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.hapireindex.it.JobApi.field;
import static io.hapireindex.it.JobApi.part;
import static io.hapireindex.it.JobApi.repeated;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readiness of custom search parameters ({@code SearchParameter/$status}, search warnings, strict mode,
 * CapabilityStatement) on the shared server, where SearchParameter writes start no job (mode "off"): a parameter
 * stays pending until a job of the module that covers it has completed.
 */
class SearchParameterReadinessIT extends HapiServerTestBase {

	private static final String PENDING_NOTE = "(reindex pending: results may be incomplete)";

	@Autowired
	private ReindexProperties properties;

	@Test
	void aParameterIsPendingThenReindexingThenReadyAndSearchesWarnUntilItIsReady() {
		TownPatients patients = createTownPatients("Ready", "Town", 4);

		String id = unique("ready-bp");
		String code = id;
		String url = putSearchParameter(id, code, "Patient", Enumerations.SearchParamType.STRING,
				"Patient.extension('" + BIRTH_PLACE + "').value.as(Address).city").getUrl();

		Map<String, String> status = statusOf(url);
		assertThat(status).containsEntry("status", "pending").doesNotContainKey("jobId");
		assertThat(status).containsEntry("code", code).containsEntry("base", "Patient");
		Bundle pending = search("Patient?" + code + "=" + patients.city());
		assertThat(warning(pending)).as("warning while pending").contains(code).contains("pending");
		assertThat(searchCount("Patient?" + code + "=" + patients.city())).isZero();
		assertThat(documentation("Patient", code)).endsWith(PENDING_NOTE);

		// slow: one resource per chunk and a pause before each, so the reindexing state can be seen
		String jobId = jobs.start(null, new Parameters()
				.addParameter("targetSearchParameterTypes", new StringType(url))
				.addParameter("maximumNumberOfResourcesPerQuery", new StringType("1"))
				.addParameter("queryDelayIntervalInMilliseconds", new StringType("1200")));
		Map<String, String> during = awaitStatus(url, "reindexing");
		assertThat(during).containsEntry("jobId", jobId);
		assertThat(warning(search("Patient?" + code + "=" + patients.city()))).contains("reindexing").contains(jobId);

		Parameters job = jobs.awaitCompleted(jobId);
		assertThat(field(job, "resources")).as("only the parameter's base type").isEqualTo("Patient");
		assertThat(statusOf(url)).containsEntry("status", "ready").containsEntry("jobId", jobId);
		Bundle ready = search("Patient?" + code + "=" + patients.city());
		assertThat(warning(ready)).as("no warning once ready").isNull();
		assertThat(searchCount("Patient?" + code + "=" + patients.city())).isEqualTo(4);
		assertThat(documentation("Patient", code)).doesNotContain(PENDING_NOTE);

		// only the new parameter's rows were written: every other row of the resource kept its id
		assertThat(db.rowIds("HFJ_SPIDX_TOKEN", patients.firstPid())).isEqualTo(patients.tokenRows());
		List<Long> stringRowsAfter = new ArrayList<>(db.rowIds("HFJ_SPIDX_STRING", patients.firstPid()));
		assertThat(stringRowsAfter).containsAll(patients.stringRows()).hasSize(patients.stringRows().size() + 1);
		assertThat(db.stringRows(patients.firstPid(), code)).hasSize(1);
	}

	@Test
	void onlyAJobThatCoversTheParameterMakesItReady() {
		String maker = unique("Maker");
		createDevices(maker, 2);
		String id = unique("dev-maker");
		String url = putSearchParameter(id, id, "Device", Enumerations.SearchParamType.STRING, "Device.manufacturer").getUrl();
		assertThat(statusOf(url)).containsEntry("status", "pending");

		// a search-URL scope does not reach every Device: still pending
		String partial = jobs.start(null, new Parameters().addParameter("url", new StringType("Device?_id=" + unique("x"))));
		jobs.awaitCompleted(partial);
		assertThat(statusOf(url)).containsEntry("status", "pending").doesNotContainKey("jobId");

		// a full reindex of the parameter's base type covers it
		String full = jobs.start(null, new Parameters().addParameter("resourceType", new StringType("Device")));
		jobs.awaitCompleted(full);
		assertThat(statusOf(url)).containsEntry("status", "ready").containsEntry("jobId", full);
		assertThat(searchCount("Device?" + id + "=" + maker)).isEqualTo(2);
		assertThat(warning(search("Device?" + id + "=" + maker))).isNull();
	}

	@Test
	void aSearchOverAParameterNotIndexedYetFailsTheJobInsteadOfCompletingWithNothingDone() {
		String maker = unique("Maker");
		createDevices(maker, 2);
		String id = unique("dev-unindexed");
		String url = putSearchParameter(id, id, "Device", Enumerations.SearchParamType.STRING, "Device.manufacturer").getUrl();
		assertThat(statusOf(url)).containsEntry("status", "pending");
		long rowsBefore = db.count("SELECT COUNT(*) FROM HFJ_SPIDX_STRING WHERE SP_NAME = ?", id);

		// the search cannot see the two Devices: HAPI's own job would report success having done nothing
		String jobId = jobs.start(null, new Parameters().addParameter("url", new StringType("Device?" + id + "=" + maker)));
		Parameters done = jobs.await(jobId, Set.of("Completed", "Failed", "Canceled"), java.time.Duration.ofMinutes(2));
		assertThat(field(done, "status")).isEqualTo("Failed");
		assertThat(JobApi.number(done, "resourcesFailed")).isEqualTo(1);
		assertThat(JobApi.number(done, "resourcesSuccessfullyReindexed")).isZero();
		assertThat(FHIR.newJsonParser().encodeResourceToString(done))
				.contains("found no resources").contains(id + " (pending)").contains("resourceType=Device");
		assertThat(db.count("SELECT COUNT(*) FROM HFJ_SPIDX_STRING WHERE SP_NAME = ?", id)).isEqualTo(rowsBefore);

		// a search on an indexed parameter that finds nothing is an honest, empty success
		String none = jobs.start(null, new Parameters().addParameter("url", new StringType("Device?manufacturer=" + unique("none"))));
		Parameters empty = jobs.awaitCompleted(none);
		assertThat(JobApi.number(empty, "resourcesFailed")).isZero();

		// the job the message suggests finds them
		jobs.awaitCompleted(jobs.start(null, new Parameters().addParameter("resourceType", new StringType("Device"))));
		assertThat(searchCount("Device?" + id + "=" + maker)).isEqualTo(2);

		// an explicit id that names nothing is a failure too, with the id
		String ghost = "Device/" + unique("ghost");
		String ghostJob = jobs.start(null, new Parameters().addParameter("resourceId", new StringType(ghost)));
		Parameters ghostDone = jobs.await(ghostJob, Set.of("Completed", "Failed", "Canceled"), java.time.Duration.ofMinutes(2));
		assertThat(field(ghostDone, "status")).isEqualTo("Failed");
		assertThat(FHIR.newJsonParser().encodeResourceToString(ghostDone)).contains(ghost).contains("is not known");
	}

	@Test
	void aCancelledJobLeavesTheParameterFailedWithTheJobAndTheReason() {
		String maker = unique("Cancel");
		createDevices(maker, 3);
		String id = unique("dev-cancel");
		String url = putSearchParameter(id, id, "Device", Enumerations.SearchParamType.STRING, "Device.manufacturer").getUrl();
		String jobId = jobs.start(null, new Parameters()
				.addParameter("targetSearchParameterTypes", new StringType(url))
				.addParameter("maximumNumberOfResourcesPerQuery", new StringType("1"))
				.addParameter("queryDelayIntervalInMilliseconds", new StringType("5000")));
		awaitStatus(url, "reindexing");
		assertThat(jobs.delete("/_operations/reindex/" + jobId).status()).isEqualTo(202);
		jobs.await(jobId, Set.of("Canceled"), java.time.Duration.ofSeconds(60));

		Map<String, String> failed = awaitStatus(url, "failed");
		assertThat(failed).containsEntry("jobId", jobId);
		assertThat(failed.get("error")).contains("cancelled");
		assertThat(warning(search("Device?" + id + "=" + maker))).contains("failed");

		// a new covering job takes it from failed to ready
		String again = jobs.start(null, new Parameters().addParameter("targetSearchParameterTypes", new StringType(url)));
		jobs.awaitCompleted(again);
		assertThat(statusOf(url)).containsEntry("status", "ready").containsEntry("jobId", again);
	}

	@Test
	void statusFiltersByUrlCodeAndTypeAndRejectsBadFilters() {
		String patientId = unique("flt-p");
		String deviceId = unique("flt-d");
		String patientUrl = putSearchParameter(patientId, patientId, "Patient", Enumerations.SearchParamType.TOKEN, "Patient.gender").getUrl();
		String deviceUrl = putSearchParameter(deviceId, deviceId, "Device", Enumerations.SearchParamType.STRING, "Device.manufacturer").getUrl();

		assertThat(urls("?url=" + enc(patientUrl))).containsExactly(patientUrl);
		assertThat(urls("?code=" + deviceId)).containsExactly(deviceUrl);
		assertThat(urls("?resourceType=Device")).contains(deviceUrl).doesNotContain(patientUrl);
		assertThat(urls("?resourceType=Patient")).contains(patientUrl).doesNotContain(deviceUrl);
		assertThat(urls("")).contains(patientUrl, deviceUrl);
		assertThat(urls("?code=" + deviceId + "&resourceType=Patient")).isEmpty();

		assertBadFilter("?resourceType=Nonsense", "resourceType");
		assertBadFilter("?colour=red", "colour");
		assertBadFilter("?code=", "code");
	}

	@Test
	void strictModeRejectsSearchesOnParametersThatAreNotReady() {
		String maker = unique("Strict");
		createDevices(maker, 1);
		String id = unique("dev-strict");
		String url = putSearchParameter(id, id, "Device", Enumerations.SearchParamType.STRING, "Device.manufacturer").getUrl();
		assertThat(statusOf(url)).containsEntry("status", "pending");
		properties.setStrictSearchParameterReadiness(true);
		try {
			JobApi.Answer rejected = jobs.get("/Device?" + id + "=" + maker);
			assertThat(rejected.status()).isEqualTo(400);
			assertThat(rejected.outcome().getIssueFirstRep().getDiagnostics()).contains(id).contains("pending");
			assertThat(jobs.get("/Device?manufacturer=" + maker).status()).as("ready parameters still work").isEqualTo(200);

			jobs.awaitCompleted(jobs.start(null, new Parameters().addParameter("targetSearchParameterTypes", new StringType(url))));
			assertThat(statusOf(url)).containsEntry("status", "ready");
			JobApi.Answer accepted = jobs.get("/Device?" + id + "=" + maker);
			assertThat(accepted.status()).isEqualTo(200);
			assertThat(((Bundle) accepted.body()).getEntry()).hasSize(1);
		} finally {
			properties.setStrictSearchParameterReadiness(false);
		}
	}

	// ---------------------------------------------------------------- helpers

	private void createDevices(String manufacturer, int count) {
		for (int i = 0; i < count; i++) {
			client.create().resource(new Device().setManufacturer(manufacturer)).execute();
		}
	}

	private void assertBadFilter(String query, String parameter) {
		JobApi.Answer answer = jobs.get("/SearchParameter/$status" + query);
		assertThat(answer.status()).as(query).isEqualTo(400);
		assertThat(answer.outcome().getIssueFirstRep().getDiagnostics()).contains("'" + parameter + "'");
	}

	private List<String> urls(String query) {
		JobApi.Answer answer = jobs.get("/SearchParameter/$status" + query);
		assertThat(answer.status()).as(query).isEqualTo(200);
		return repeated(answer.parameters(), "searchParameter").stream().map(c -> part(c, "url")).toList();
	}

	/** The parts of the one $status entry of a parameter (base joined with commas). */
	private Map<String, String> statusOf(String url) {
		JobApi.Answer answer = jobs.get("/SearchParameter/$status?url=" + enc(url));
		assertThat(answer.status()).isEqualTo(200);
		List<Parameters.ParametersParameterComponent> entries = repeated(answer.parameters(), "searchParameter");
		assertThat(entries).as("$status of %s", url).hasSize(1);
		Map<String, String> parts = new TreeMap<>();
		entries.get(0).getPart().forEach(p -> parts.merge(p.getName(), p.getValue().primitiveValue(), (a, b) -> a + "," + b));
		return parts;
	}

	private Map<String, String> awaitStatus(String url, String wanted) {
		long deadline = System.currentTimeMillis() + 60_000;
		Map<String, String> status;
		do {
			status = statusOf(url);
			if (wanted.equals(status.get("status"))) {
				return status;
			}
			JobApi.sleep(100);
		} while (System.currentTimeMillis() < deadline);
		throw new AssertionError(url + " never became " + wanted + ": " + status);
	}

	/** The diagnostics of the readiness warning entry of a search Bundle, or null. */
	private static String warning(Bundle bundle) {
		return bundle.getEntry().stream()
				.filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.OUTCOME)
				.map(e -> ((OperationOutcome) e.getResource()).getIssueFirstRep())
				.peek(i -> assertThat(i.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.WARNING))
				.map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics)
				.findFirst()
				.orElse(null);
	}

	private String documentation(String type, String code) {
		CapabilityStatement cs = client.capabilities()
				.ofType(CapabilityStatement.class)
				.cacheControl(new ca.uhn.fhir.rest.api.CacheControlDirective().setNoCache(true))
				.execute();
		return cs.getRestFirstRep().getResource().stream()
				.filter(r -> r.getType().equals(type))
				.flatMap(r -> r.getSearchParam().stream())
				.filter(sp -> sp.getName().equals(code))
				.map(sp -> String.valueOf(sp.getDocumentation()))
				.findFirst()
				.orElseThrow(() -> new AssertionError(code + " is not in the CapabilityStatement of " + type));
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
