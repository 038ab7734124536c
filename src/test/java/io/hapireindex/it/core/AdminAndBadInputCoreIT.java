package io.hapireindex.it.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hapireindex.it.HapiDatabase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API (plain JSON, the same whatever the FHIR version) and bad input on every FHIR version: a 400 whose
 * OperationOutcome names the parameter, and no job.
 */
class AdminAndBadInputCoreIT extends CoreServerBase {

	private static final ObjectMapper JSON = new ObjectMapper();

	@Test
	void theAdminApiStartsListsAndDetailsAJob() throws Exception {
		String family = unique("Adm");
		String id = unique("core-adm");
		putPatient(id, family, "Boston");
		HapiDatabase.StoredResource before = db.stored("Patient", id);

		Answer started = http("POST", "/reindex-admin/api/jobs", "{\"url\":\"Patient?family=" + family + "\",\"batchSize\":\"5\"}");
		assertThat(started.status()).as(started.body()).isEqualTo(201);
		String jobId = JSON.readTree(started.body()).path("id").asText();
		assertThat(jobId).isNotBlank();

		JsonNode detail = await("admin detail of " + jobId + " to be Completed", () -> {
			JsonNode d = adminJson("/reindex-admin/api/jobs/" + jobId);
			return "Completed".equals(d.path("status").asText()) ? Optional.of(d) : Optional.empty();
		});
		assertThat(detail.path("module").asBoolean()).isTrue();
		assertThat(detail.path("state").asText()).isEqualTo("COMPLETED");
		assertThat(detail.path("total").asLong()).isEqualTo(1);
		assertThat(detail.path("done").asLong()).isEqualTo(1);
		assertThat(detail.path("progress").isIntegralNumber()).as("100, not 100.0: %s", detail.path("progress")).isTrue();
		assertThat(detail.path("progress").asLong()).isEqualTo(100);
		assertThat(detail.path("byType").path(0).path("resourceType").asText()).isEqualTo("Patient");
		assertThat(detail.path("request").path("url").path(0).asText()).isEqualTo("Patient?family=" + family);
		assertThat(db.stored("Patient", id)).isEqualTo(before);

		JsonNode list = adminJson("/reindex-admin/api/jobs?size=200");
		List<String> ids = new ArrayList<>();
		list.path("jobs").forEach(j -> ids.add(j.path("id").asText()));
		assertThat(ids).contains(jobId);
		// the job API reads the same status
		assertThat(value(jobStatus(jobId), "status")).isEqualTo("Completed");
	}

	@Test
	void badInputIsA400NamingTheParameterAndStartsNoJob() throws Exception {
		long jobs = db.jobInstances();

		Answer tooMany = http("POST", "/$reindex", json(parameters("maximumConcurrency", "99")));
		assertThat(tooMany.status()).isEqualTo(400);
		assertThat(tooMany.resource().fhirType()).isEqualTo("OperationOutcome");
		assertThat(tooMany.body()).contains("Parameter 'maximumConcurrency'");

		Answer unknown = http("POST", "/Patient/$reindex", json(parameters("color", "blue")));
		assertThat(unknown.status()).isEqualTo(400);
		assertThat(unknown.body()).contains("Parameter 'color'");

		Answer badId = http("POST", "/$reindex", json(parameters("resourceId", "not an id")));
		assertThat(badId.status()).isEqualTo(400);
		assertThat(badId.body()).contains("Parameter 'resourceId'");

		Answer terminology = http("POST", "/$terminology-reindex", json(parameters("resourceType", "Patient")));
		assertThat(terminology.status()).isEqualTo(400);
		assertThat(terminology.body()).contains("Parameter 'resourceType'");

		Answer status = http("GET", "/SearchParameter/$status?resourceType=NoSuchType", null);
		assertThat(status.status()).isEqualTo(400);
		assertThat(status.body()).contains("Parameter 'resourceType'");

		Answer count = http("GET", "/_operations/reindex?_count=0", null);
		assertThat(count.status()).isEqualTo(400);
		assertThat(count.resource().fhirType()).isEqualTo("OperationOutcome");
		assertThat(count.body()).contains("Parameter '_count'");

		Answer admin = http("POST", "/reindex-admin/api/jobs", "{\"maximumConcurrency\":\"99\"}");
		assertThat(admin.status()).isEqualTo(400);
		JsonNode issue = JSON.readTree(admin.body()).path("issue").path(0);
		assertThat(issue.path("expression").path(0).asText()).isEqualTo("maximumConcurrency");
		assertThat(issue.path("code").asText()).isEqualTo("invalid");

		Answer adminPage = http("GET", "/reindex-admin/api/jobs?state=NOPE", null);
		assertThat(adminPage.status()).isEqualTo(400);
		assertThat(JSON.readTree(adminPage.body()).path("issue").path(0).path("expression").path(0).asText()).isEqualTo("state");

		assertThat(db.jobInstances()).as("no job from a refused request").isEqualTo(jobs);
	}

	private JsonNode adminJson(String path) {
		Answer a = http("GET", path, null);
		assertThat(a.status()).as(a.body()).isEqualTo(200);
		try {
			return JSON.readTree(a.body());
		} catch (Exception e) {
			throw new AssertionError(a.body(), e);
		}
	}
}
