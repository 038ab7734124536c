package io.hapireindex.it.core;

import ca.uhn.fhir.util.BundleUtil;
import ca.uhn.fhir.util.FhirTerser;
import io.hapireindex.it.HapiDatabase;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs on every FHIR version: a server-level job, a targeted job with the readiness of its search parameter
 * ({@code SearchParameter/$status}, the search warning, the CapabilityStatement note), and the job API (status,
 * list, cancel, restart).
 */
class JobCoreIT extends CoreServerBase {

	private static final String PENDING_NOTE = "(reindex pending: results may be incomplete)";

	@Test
	void aServerJobReindexesItsScopeAndLeavesVersionsAlone() {
		String family = unique("Srv");
		List<String> ids = patients(family, 3);
		Map<String, HapiDatabase.StoredResource> before = stored(ids);

		String jobId = startJob("/$reindex", parameters("url", "Patient?family=" + family, "batchSize", "2"));
		IBaseParameters done = awaitJob(jobId, "Completed", "Failed");
		assertThat(value(done, "status")).isEqualTo("Completed");
		assertThat(value(done, "totalResourcesToReindex")).isEqualTo("3");
		assertThat(value(done, "resourcesSuccessfullyReindexed")).isEqualTo("3");
		assertThat(value(done, "progress")).isEqualTo("100.0");
		assertThat(value(done, "resources")).isEqualTo("Patient");
		assertThat(stored(ids)).isEqualTo(before);
	}

	@Test
	void aTargetedJobMakesItsSearchParameterReady() {
		String family = unique("Tgt");
		List<String> ids = patients(family, 3);
		Map<String, HapiDatabase.StoredResource> before = stored(ids);
		String spId = unique("core-tgt");
		String code = "coretgt" + spId.substring(spId.length() - 8).replace("-", "");
		String url = putFamilyParameter(spId, code);

		assertThat(readiness(url)).containsEntry("status", "pending").containsEntry("code", code);
		IBaseBundle pending = search("Patient?" + code + "=" + family);
		assertThat(matches(pending)).isZero();
		assertThat(warning(pending)).contains(code).contains("pending");
		assertThat(documentation(code)).endsWith(PENDING_NOTE);

		String jobId = startJob("/Patient/$reindex", parameters("searchParameter", spId));
		IBaseParameters done = awaitJob(jobId, "Completed", "Failed");
		assertThat(value(done, "status")).isEqualTo("Completed");
		assertThat(value(done, "searchParams")).isEqualTo(url);
		for (String id : ids) {
			assertThat(stringRows("Patient", id, code)).singleElement().satisfies(r -> assertThat(r).startsWith(family + "|"));
		}
		assertThat(stored(ids)).as("versions and lastUpdated unchanged").isEqualTo(before);

		await("'" + code + "' to be ready", () -> "ready".equals(readiness(url).get("status")) ? Optional.of(true) : Optional.empty());
		IBaseBundle ready = search("Patient?" + code + "=" + family);
		assertThat(matches(ready)).isEqualTo(3);
		assertThat(warning(ready)).isNull();
		assertThat(documentation(code)).doesNotEndWith(PENDING_NOTE);
	}

	@Test
	void theJobApiListsCancelsAndRestarts() {
		String family = unique("Api");
		List<String> ids = patients(family, 3);
		// one resource per chunk, a pause before each: the job is still running when the cancel arrives
		String jobId = startJob("/$reindex", parameters("url", "Patient?family=" + family, "batchSize", "1",
				"maximumConcurrency", "1", "queryDelayIntervalInMilliseconds", "4000"));
		Answer cancel = http("DELETE", "/_operations/reindex/" + jobId, null);
		assertThat(cancel.status()).as(cancel.body()).isEqualTo(202);
		assertThat(value(cancel.parameters(), "id")).isEqualTo(jobId);
		awaitEnded(jobId, "Canceled");

		Answer list = http("GET", "/_operations/reindex?status=Canceled", null);
		assertThat(list.status()).as(list.body()).isEqualTo(200);
		IBaseResource bundle = list.resource();
		assertThat(bundle.fhirType()).isEqualTo("Bundle");
		List<String> listed = new ArrayList<>();
		for (IBaseResource r : BundleUtil.toListOfResources(fhir, (IBaseBundle) bundle)) {
			listed.add(value((IBaseParameters) r, "id"));
			assertThat(value((IBaseParameters) r, "status")).isEqualTo("Canceled");
		}
		assertThat(listed).contains(jobId);

		Answer restart = http("POST", "/_operations/reindex/" + jobId + "/$restart", null);
		assertThat(restart.status()).as(restart.body()).isEqualTo(201);
		IBaseParameters restarted = restart.parameters();
		assertThat(value(restarted, "restartOf")).isEqualTo(jobId);
		String newId = value(restarted, "id");
		assertThat(restart.header("Content-Location")).endsWith("/_operations/reindex/" + newId);
		IBaseParameters done = awaitJob(newId, "Completed", "Failed");
		assertThat(value(done, "status")).isEqualTo("Completed");
		for (String id : ids) {
			assertThat(db.stored("Patient", id).version()).isEqualTo(1);
		}

		Answer again = http("DELETE", "/_operations/reindex/" + newId, null);
		assertThat(again.status()).as("an ended job cannot be cancelled").isEqualTo(409);
		assertThat(again.resource().fhirType()).isEqualTo("OperationOutcome");
		Answer missing = http("GET", "/_operations/reindex/no-such-job", null);
		assertThat(missing.status()).isEqualTo(404);
		assertThat(missing.resource().fhirType()).isEqualTo("OperationOutcome");
	}

	private List<String> patients(String family, int count) {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String id = unique("core-job");
			putPatient(id, family, "Boston");
			ids.add(id);
		}
		return ids;
	}

	private Map<String, HapiDatabase.StoredResource> stored(List<String> ids) {
		Map<String, HapiDatabase.StoredResource> m = new LinkedHashMap<>();
		ids.forEach(id -> m.put(id, db.stored("Patient", id)));
		return m;
	}

	/** The parts of the one {@code searchParameter} entry of {@code $status?url=...}, name to value. */
	private Map<String, String> readiness(String url) {
		Answer a = http("GET", "/SearchParameter/$status?url=" + url, null);
		assertThat(a.status()).as(a.body()).isEqualTo(200);
		FhirTerser terser = fhir.newTerser();
		List<IBase> entries = terser.getValues(a.parameters(), "parameter");
		assertThat(entries).hasSize(1);
		Map<String, String> m = new LinkedHashMap<>();
		for (IBase part : terser.getValues(entries.get(0), "part")) {
			m.putIfAbsent(terser.getSinglePrimitiveValueOrNull(part, "name"), terser.getSinglePrimitiveValueOrNull(part, "value[x]"));
		}
		return m;
	}

	private long matches(IBaseBundle bundle) {
		return BundleUtil.getSearchBundleEntryParts(fhir, bundle).stream()
				.filter(e -> e.getResource() != null && e.getResource().fhirType().equals("Patient"))
				.count();
	}

	/** The diagnostics of the readiness warning entry (an OperationOutcome with search mode outcome), or null. */
	private String warning(IBaseBundle bundle) {
		FhirTerser terser = fhir.newTerser();
		for (IBase entry : terser.getValues(bundle, "entry")) {
			IBaseResource r = terser.getSingleValueOrNull(entry, "resource", IBaseResource.class);
			if (r != null && r.fhirType().equals("OperationOutcome")) {
				assertThat(terser.getSinglePrimitiveValueOrNull(entry, "search.mode")).isEqualTo("outcome");
				return terser.getSinglePrimitiveValueOrNull(r, "issue.diagnostics");
			}
		}
		return null;
	}

	/** The CapabilityStatement's documentation of Patient's search parameter {@code code}. */
	private String documentation(String code) {
		Answer a = http("GET", "/metadata", null);
		assertThat(a.status()).isEqualTo(200);
		IBaseResource statement = a.resource();
		FhirTerser terser = fhir.newTerser();
		for (IBase resource : terser.getValues(statement, "rest.resource")) {
			if ("Patient".equals(terser.getSinglePrimitiveValueOrNull(resource, "type"))) {
				for (IBase sp : terser.getValues(resource, "searchParam")) {
					if (code.equals(terser.getSinglePrimitiveValueOrNull(sp, "name"))) {
						String doc = terser.getSinglePrimitiveValueOrNull(sp, "documentation");
						return doc == null ? "" : doc;
					}
				}
			}
		}
		throw new AssertionError("the CapabilityStatement lists no Patient search parameter " + code);
	}
}
