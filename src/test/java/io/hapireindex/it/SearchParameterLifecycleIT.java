package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.hapireindex.job.ReindexJob;
import io.hapireindex.testhost.HapiTestServer;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.SearchParameter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.hapireindex.it.JobApi.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With the module's automatic mode, SearchParameter writes start the module's targeted jobs, not HAPI's. */
@SpringBootTest(
		classes = HapiTestServer.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = {
			"hapi-fhir-reindex.search-parameter-reindex=auto",
			"hapi-fhir-reindex.search-parameter-reindex-window-millis=1000"
		})
class SearchParameterLifecycleIT extends HapiServerTestBase {

	@Autowired
	private IJobCoordinator coordinator;

	@Test
	void aParameterCreatedAfterTheDataGetsOneTargetedJobAndHapisOwnIsNotStarted() {
		TownPatients patients = createTownPatients("Auto", "Ville", 5);
		Set<String> before = moduleJobIds();
		int hapiJobs = hapiReindexJobs();

		String code = unique("auto-bp");
		client.create().resource(searchParameter(code, "Patient", Enumerations.SearchParamType.STRING,
				"Patient.extension('" + BIRTH_PLACE + "').value.as(Address).city")).execute();
		// the job starts only when the window (1 s) has passed: until then the parameter is pending
		assertThat(readiness(code)).as("right after the commit").isEqualTo("pending");

		String jobId = awaitNewJob(before);
		Parameters status = jobs.awaitCompleted(jobId);
		assertThat(field(status, "searchParams")).isEqualTo(searchParameterUrl(code));
		assertThat(field(status, "resources")).isEqualTo("Patient");
		assertThat(readiness(code)).isEqualTo("ready " + jobId);
		Bundle found = search("Patient?" + code + "=" + patients.city());
		assertThat(found.getEntry()).as("no readiness warning").noneMatch(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.OUTCOME);
		assertThat(searchCount("Patient?" + code + "=" + patients.city())).isEqualTo(5);
		assertThat(hapiReindexJobs()).as("HAPI's automatic REINDEX is off").isEqualTo(hapiJobs);
		// targeted: the other rows of the resources keep their ids
		assertThat(db.rowIds("HFJ_SPIDX_TOKEN", patients.firstPid())).isEqualTo(patients.tokenRows());
		assertThat(db.rowIds("HFJ_SPIDX_STRING", patients.firstPid()))
				.containsAll(patients.stringRows())
				.hasSize(patients.stringRows().size() + 1);
	}

	@Test
	void tenParametersInOneTransactionMakeOneJob() {
		Set<String> before = moduleJobIds();
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		List<String> urls = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			String code = unique("ten" + i);
			urls.add(searchParameterUrl(code));
			tx.addEntry().setResource(searchParameter(code, "Observation", Enumerations.SearchParamType.TOKEN, "Observation.status"))
					.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("SearchParameter");
		}
		client.transaction().withBundle(tx).execute();

		String jobId = awaitNewJob(before);
		JobApi.sleep(2500);
		assertThat(moduleJobIds()).as("one job for the ten").hasSize(before.size() + 1);
		Parameters status = jobs.awaitCompleted(jobId);
		assertThat(Set.of(field(status, "searchParams").split(","))).containsExactlyInAnyOrderElementsOf(urls);
		assertThat(field(status, "resources")).isEqualTo("Observation");
	}

	@Test
	void aSearchParameterWriteThatRollsBackStartsNothing() {
		Patient patient = new Patient();
		patient.setId(unique("rb"));
		patient.setActive(true);
		client.update().resource(patient).execute();
		Set<String> before = moduleJobIds();

		String code = unique("rolled-back");
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		tx.addEntry().setResource(searchParameter(code, "Patient", Enumerations.SearchParamType.TOKEN, "Patient.gender"))
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("SearchParameter");
		tx.addEntry().setResource(patient.setActive(false))
				.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + patient.getIdElement().getIdPart())
				.setIfMatch("W/\"99\"");
		assertThatThrownBy(() -> client.transaction().withBundle(tx).execute())
				.isInstanceOf(BaseServerResponseException.class);

		JobApi.sleep(3000);
		assertThat(moduleJobIds()).as("no job for a write that rolled back").isEqualTo(before);
		assertThat(searchCount("SearchParameter?url=" + searchParameterUrl(code))).isZero();
		assertThat(readiness(code)).as("nothing pending for a write that rolled back").isNull();
	}

	@Test
	void deletingAParameterRemovesItsRows() {
		String family = unique("Del");
		List<String> ids = createPatients(family, "Delville", 2);
		String code = unique("del-bp");
		Set<String> before = moduleJobIds();
		String spId = client.create().resource(searchParameter(code, "Patient", Enumerations.SearchParamType.STRING,
				"Patient.extension('" + BIRTH_PLACE + "').value.as(Address).city")).execute().getId().getIdPart();
		jobs.awaitCompleted(awaitNewJob(before));
		long pid = db.pid("Patient", ids.get(0));
		assertThat(db.stringRows(pid, code)).hasSize(1);

		Set<String> beforeDelete = moduleJobIds();
		client.delete().resourceById("SearchParameter", spId).execute();
		assertThat(readiness(code)).as("a deleted parameter is no longer listed").isNull();
		jobs.awaitCompleted(awaitNewJob(beforeDelete));
		assertThat(db.stringRows(pid, code)).as("rows of the deleted parameter are gone").isEmpty();
	}

	/** "status" or "status jobId" from SearchParameter/$status, or null when the parameter is not listed. */
	private String readiness(String code) {
		JobApi.Answer answer = jobs.get("/SearchParameter/$status?code=" + code);
		assertThat(answer.status()).isEqualTo(200);
		return JobApi.repeated(answer.parameters(), "searchParameter").stream()
				.map(c -> JobApi.part(c, "status") + (JobApi.part(c, "jobId") == null ? "" : " " + JobApi.part(c, "jobId")))
				.findFirst()
				.orElse(null);
	}

	private String awaitNewJob(Set<String> before) {
		long deadline = System.currentTimeMillis() + 20_000;
		while (true) {
			Set<String> now = moduleJobIds();
			now.removeAll(before);
			if (!now.isEmpty()) {
				return now.iterator().next();
			}
			assertThat(System.currentTimeMillis()).as("a job was started").isLessThan(deadline);
			JobApi.sleep(100);
		}
	}

	private Set<String> moduleJobIds() {
		return coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0).stream()
				.map(JobInstance::getInstanceId)
				.collect(Collectors.toSet());
	}

	private int hapiReindexJobs() {
		return coordinator.getJobInstancesByJobDefinitionId("REINDEX", 10_000, 0).size();
	}
}
