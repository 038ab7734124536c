package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import io.hapireindex.job.ReindexJob;
import io.hapireindex.testhost.HapiTestServer;
import io.hapireindex.testhost.TestAuthorization;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With HAPI's AuthorizationInterceptor on the server, the module never widens access: the operations and
 * the job API answer 403 to callers the host's rules do not allow, and change nothing.
 */
@SpringBootTest(
		classes = HapiTestServer.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "test.authorization=true")
class AuthorizationIT extends HapiServerTestBase {

	private static final String START = "{\"resourceType\":\"Parameters\",\"parameter\":[]}";

	@Autowired
	private IJobCoordinator coordinator;

	@Test
	void callersTheHostDoesNotAllowGet403AndNoJobStarts() {
		JobApi anonymous = new JobApi(client, baseUrl(), FHIR);
		String adminJob = startAsAdmin();
		int jobs = jobCount();

		String patient = patientId();
		java.util.Map<String, JobApi.Answer> answers = new java.util.LinkedHashMap<>();
		answers.put("server $reindex", anonymous.post("/$reindex", START));
		answers.put("type $reindex", anonymous.post("/Patient/$reindex", START));
		answers.put("instance $reindex", anonymous.post("/Patient/" + patient + "/$reindex", START));
		answers.put("instance $reindex-dryrun", anonymous.get("/Patient/" + patient + "/$reindex-dryrun"));
		answers.put("job list", anonymous.get("/_operations/reindex"));
		answers.put("job status", anonymous.get("/_operations/reindex/" + adminJob));
		answers.put("job cancel", anonymous.delete("/_operations/reindex/" + adminJob));
		answers.put("job restart", anonymous.post("/_operations/reindex/" + adminJob + "/$restart", ""));
		answers.forEach((call, answer) -> {
			assertThat(answer.status()).as(call).isEqualTo(403);
			assertThat(answer.outcome().getIssueFirstRep().getDiagnostics()).as(call).containsIgnoringCase("denied");
		});
		assertThat(jobCount()).as("no job started").isEqualTo(jobs);
		assertThat(coordinator.getInstance(adminJob).isCancelled()).as("not cancelled").isFalse();
	}

	@Test
	void aCallerAllowedToReindexPatientsCannotReachBeyondThem() {
		JobApi limited = new JobApi(client, baseUrl(), FHIR);
		int jobs = jobCount();

		JobApi.Answer patients = limited.post("/Patient/$reindex", START, "Authorization", TestAuthorization.PATIENT_REINDEXER);
		assertThat(patients.status()).isEqualTo(201);
		assertThat(limited.post("/Observation/$reindex", START, "Authorization", TestAuthorization.PATIENT_REINDEXER).status())
				.isEqualTo(403);
		assertThat(limited.post("/$reindex", START, "Authorization", TestAuthorization.PATIENT_REINDEXER).status())
				.isEqualTo(403);
		assertThat(jobCount()).as("only the Patient job").isEqualTo(jobs + 1);
	}

	private String startAsAdmin() {
		JobApi admin = new JobApi(client, baseUrl(), FHIR);
		JobApi.Answer started = admin.post("/Patient/$reindex", START, "Authorization", TestAuthorization.ADMIN);
		assertThat(started.status()).isEqualTo(201);
		return JobApi.field(started.parameters(), "id");
	}

	private String patientId() {
		String id = "auth-patient";
		JobApi admin = new JobApi(client, baseUrl(), FHIR);
		Patient patient = new Patient();
		patient.setId(id);
		patient.setActive(true);
		assertThat(admin.put("/Patient/" + id, FHIR.newJsonParser().encodeResourceToString(patient),
				"Authorization", TestAuthorization.ADMIN).status()).isBetween(200, 201);
		return id;
	}

	private int jobCount() {
		return coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0).size();
	}
}
