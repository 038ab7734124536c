package io.hapireindex.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed requests to every operation other than the start parameters (those are {@link StartValidationIT}):
 * instance and type {@code $reindex}, {@code $reindex-dryrun}, {@code $terminology-reindex},
 * {@code SearchParameter/$status}, the job API and the admin API, with wrong types, ranges, names, URLs and ids,
 * bodies that are not FHIR, a 5 MB body, unicode and injection attempts. Each must get a 4xx with an
 * OperationOutcome, start no job, and change no resource or index row.
 */
class MalformedRequestsIT extends HapiServerTestBase {

	private static final String JSON = "application/fhir+json";
	private static final ObjectMapper MAPPER = new ObjectMapper();
	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	/** One malformed request. {@code admin}: the admin API, whose JSON is OperationOutcome-shaped, not FHIR. */
	record Case(String name, String method, String path, String contentType, String body, boolean admin) {
		static Case fhir(String name, String method, String path, String contentType, String body) {
			return new Case(name, method, path, contentType, body, false);
		}

		static Case admin(String name, String method, String path, String body) {
			return new Case(name, method, path, body == null ? null : "application/json", body, true);
		}
	}

	private static String params(String... nameTypeValue) {
		StringBuilder json = new StringBuilder("{\"resourceType\":\"Parameters\",\"parameter\":[");
		for (int i = 0; i < nameTypeValue.length; i += 3) {
			json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(nameTypeValue[i]).append("\",\"")
					.append(nameTypeValue[i + 1]).append("\":").append(nameTypeValue[i + 2]).append('}');
		}
		return json.append("]}").toString();
	}

	private static String q(String s) {
		return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

	private List<Case> cases(String patient, String deletedPatient, String jobId) {
		String patientJson = FHIR.newJsonParser().encodeResourceToString(new Patient().setActive(true));
		String huge = params("resourceType", "valueString", q("X".repeat(5 * 1024 * 1024)));
		String xmlGarbage = "<Parameters xmlns=\"http://hl7.org/fhir\"><parameter><name value=\"url\"/><oops";
		String inst = "/Patient/" + patient;
		List<Case> c = new ArrayList<>();
		// server- and type-level $reindex: bodies that are not a Parameters resource
		c.add(Case.fhir("server: plain text body", "POST", "/$reindex", "text/plain", "reindex everything please"));
		c.add(Case.fhir("server: broken JSON", "POST", "/$reindex", JSON, "{\"resourceType\":\"Parameters\",\"parameter\":["));
		c.add(Case.fhir("server: XML garbage", "POST", "/$reindex", "application/fhir+xml", xmlGarbage));
		c.add(Case.fhir("server: a Patient instead of Parameters", "POST", "/$reindex", JSON, patientJson));
		c.add(Case.fhir("server: JSON array", "POST", "/$reindex", JSON, "[{\"name\":\"url\"}]"));
		c.add(Case.fhir("server: 5 MB body", "POST", "/$reindex", JSON, huge));
		c.add(Case.fhir("server: unicode type", "POST", "/$reindex", JSON, params("resourceType", "valueString", q("Pätient"))));
		c.add(Case.fhir("server: SQL in url type", "POST", "/$reindex", JSON,
				params("url", "valueString", q("Patient'; DROP TABLE HFJ_RESOURCE;--?name=x"))));
		c.add(Case.fhir("server: path traversal resourceId", "POST", "/$reindex", JSON,
				params("resourceId", "valueString", q("Patient/../../etc/passwd"))));
		c.add(Case.fhir("server: SQL in resourceId", "POST", "/$reindex", JSON,
				params("resourceId", "valueString", q("Patient/1' OR '1'='1"))));
		c.add(Case.fhir("server: script in targetSearchParameterTypes", "POST", "/$reindex", JSON,
				params("targetSearchParameterTypes", "valueString", q("javascript:alert(1)"))));
		c.add(Case.fhir("server: absolute url", "POST", "/$reindex", JSON,
				params("url", "valueString", q("http://evil.example/Patient?name=x"))));
		c.add(Case.fhir("server: partitionId without partitioning", "POST", "/$reindex", JSON,
				params("partitionId", "valueString", q("1 OR 1=1"))));
		c.add(Case.fhir("type: unknown resource type in path", "POST", "/NotAType/$reindex", JSON, params()));
		c.add(Case.fhir("type: other type in body", "POST", "/Patient/$reindex", JSON,
				params("resourceType", "valueString", q("Observation"))));
		c.add(Case.fhir("type: XML garbage", "POST", "/Patient/$reindex", "application/fhir+xml", xmlGarbage));
		c.add(Case.fhir("type: batchSize NaN", "POST", "/Patient/$reindex", JSON, params("batchSize", "valueString", q("NaN"))));
		// instance $reindex and $reindex-dryrun
		c.add(Case.fhir("instance: unknown id", "POST", "/Patient/does-not-exist-42/$reindex", JSON, params()));
		c.add(Case.fhir("instance: deleted resource", "POST", "/Patient/" + deletedPatient + "/$reindex", JSON, params()));
		c.add(Case.fhir("instance: GET on $reindex", "GET", inst + "/$reindex", null, null));
		c.add(Case.fhir("instance: unicode id", "POST", "/Patient/%C3%BC%C3%AF%E2%9C%93/$reindex", JSON, params()));
		c.add(Case.fhir("instance: a Patient instead of Parameters", "POST", inst + "/$reindex", JSON, patientJson));
		c.add(Case.fhir("instance: plain text body", "POST", inst + "/$reindex", "text/plain", "now"));
		c.add(Case.fhir("instance: a parameter it does not take", "POST", inst + "/$reindex", JSON,
				params("resourceType", "valueString", q("Observation"))));
		c.add(Case.fhir("dry-run: unknown code", "GET", inst + "/$reindex-dryrun?code=nope", null, null));
		c.add(Case.fhir("dry-run: script in code", "GET", inst + "/$reindex-dryrun?code=%3Cscript%3Ealert(1)%3C%2Fscript%3E", null, null));
		c.add(Case.fhir("dry-run: SQL in id", "GET", "/Patient/1'%20OR%20'1'%3D'1/$reindex-dryrun", null, null));
		c.add(Case.fhir("dry-run: unknown id", "GET", "/Patient/does-not-exist-42/$reindex-dryrun", null, null));
		c.add(Case.fhir("dry-run: deleted resource", "GET", "/Patient/" + deletedPatient + "/$reindex-dryrun", null, null));
		c.add(Case.fhir("dry-run: XML garbage", "POST", inst + "/$reindex-dryrun", "application/fhir+xml", xmlGarbage));
		c.add(Case.fhir("dry-run: plain text body", "POST", inst + "/$reindex-dryrun", "text/plain", "code=family"));
		c.add(Case.fhir("dry-run: unknown code in body", "POST", inst + "/$reindex-dryrun", JSON,
				params("code", "valueCode", q("fam'ily"))));
		// $terminology-reindex
		c.add(Case.fhir("terminology: non-terminology type", "POST", "/$terminology-reindex", JSON,
				params("resourceType", "valueString", q("Patient"))));
		c.add(Case.fhir("terminology: resourceId not Type/id", "POST", "/$terminology-reindex", JSON,
				params("resourceId", "valueString", q("CodeSystem/x;DROP TABLE TRM_CONCEPT"))));
		c.add(Case.fhir("terminology: unknown parameter", "POST", "/$terminology-reindex", JSON,
				params("everything", "valueBoolean", "true")));
		c.add(Case.fhir("terminology: plain text body", "POST", "/$terminology-reindex", "text/plain", "CodeSystem"));
		c.add(Case.fhir("terminology: type-level other type", "POST", "/ValueSet/$terminology-reindex", JSON,
				params("resourceType", "valueString", q("CodeSystem"))));
		// SearchParameter/$status
		c.add(Case.fhir("status: unknown resourceType", "GET", "/SearchParameter/$status?resourceType=NotAType", null, null));
		c.add(Case.fhir("status: unknown parameter", "GET", "/SearchParameter/$status?sql=1%3D1", null, null));
		c.add(Case.fhir("status: empty code", "GET", "/SearchParameter/$status?code=", null, null));
		// the job API
		c.add(Case.fhir("job API: malformed id", "GET", "/_operations/reindex/not..valid", null, null));
		c.add(Case.fhir("job API: unicode id", "GET", "/_operations/reindex/%E2%9C%93", null, null));
		c.add(Case.fhir("job API: SQL in id", "GET", "/_operations/reindex/1'%20OR%20'1'%3D'1", null, null));
		c.add(Case.fhir("job API: unknown id", "GET", "/_operations/reindex/00000000-0000-0000-0000-000000000000", null, null));
		c.add(Case.fhir("job API: _count=0", "GET", "/_operations/reindex?_count=0", null, null));
		c.add(Case.fhir("job API: _count=abc", "GET", "/_operations/reindex?_count=abc", null, null));
		c.add(Case.fhir("job API: _count too big", "GET", "/_operations/reindex?_count=100000", null, null));
		c.add(Case.fhir("job API: unknown status", "GET", "/_operations/reindex?status=Done", null, null));
		c.add(Case.fhir("job API: SQL in status", "GET", "/_operations/reindex?status='%20OR%20'1'%3D'1", null, null));
		c.add(Case.fhir("job API: DELETE the collection", "DELETE", "/_operations/reindex", null, null));
		c.add(Case.fhir("job API: cancel unknown job", "DELETE", "/_operations/reindex/00000000-0000-0000-0000-000000000000", null, null));
		c.add(Case.fhir("job API: restart unknown job", "POST", "/_operations/reindex/00000000-0000-0000-0000-000000000000/$restart", JSON, ""));
		c.add(Case.fhir("job API: PUT a job", "PUT", "/_operations/reindex/" + jobId, JSON, patientJson));
		c.add(Case.fhir("job API: GET on $restart", "GET", "/_operations/reindex/" + jobId + "/$restart", null, null));
		c.add(Case.fhir("job API: extra path segment", "POST", "/_operations/reindex/" + jobId + "/$restart/now", JSON, ""));
		// the admin API
		c.add(Case.admin("admin: unknown state", "GET", "api/jobs?state=bogus", null));
		c.add(Case.admin("admin: negative page", "GET", "api/jobs?page=-1", null));
		c.add(Case.admin("admin: page size too big", "GET", "api/jobs?size=999999", null));
		c.add(Case.admin("admin: unknown path", "GET", "api/nope", null));
		c.add(Case.admin("admin: unknown job", "GET", "api/jobs/00000000-0000-0000-0000-000000000000", null));
		c.add(Case.admin("admin: SQL in job id", "GET", "api/jobs/1'%20OR%20'1'%3D'1", null));
		c.add(Case.admin("admin: start form not JSON", "POST", "api/jobs", "reindex=all"));
		c.add(Case.admin("admin: start form a JSON array", "POST", "api/jobs", "[\"Patient\"]"));
		c.add(Case.admin("admin: start form unicode type", "POST", "api/jobs", "{\"resourceType\":[\"Pätient\"]}"));
		c.add(Case.admin("admin: unknown action", "POST", "api/jobs/" + jobId + "/$explode", null));
		c.add(Case.admin("admin: cancel unknown job", "POST", "api/jobs/00000000-0000-0000-0000-000000000000/$cancel", null));
		return c;
	}

	@Test
	void everyMalformedRequestGets4xxWithAnOperationOutcomeAndChangesNothing() throws Exception {
		List<String> ids = createPatients(unique("Malformed"), "Bern", 6);
		String deleted = ids.get(ids.size() - 1);
		client.delete().resourceById("Patient", deleted).execute();
		long min = db.pid("Patient", ids.get(0));
		long max = db.pid("Patient", deleted);
		JobApi api = new JobApi(client, baseUrl(), FHIR);
		String jobId = api.start("Patient", new Parameters());
		api.awaitCompleted(jobId);

		List<Case> cases = cases(ids.get(0), deleted, jobId);
		assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
		long jobs = db.jobInstances();
		String before = db.indexFingerprint(min, max);
		List<String> problems = new ArrayList<>();
		for (Case c : cases) {
			HttpResponse<String> r = send(c);
			String problem = check(c, r);
			if (problem != null) {
				problems.add(c.name() + ": " + problem);
			}
			if (db.jobInstances() != jobs) {
				problems.add(c.name() + ": a job instance was created");
				jobs = db.jobInstances();
			}
		}
		assertThat(problems).as("cases that did not answer 4xx + OperationOutcome or changed something").isEmpty();
		assertThat(db.indexFingerprint(min, max)).as("no resource or index row changed").isEqualTo(before);
	}

	private HttpResponse<String> send(Case c) throws IOException, InterruptedException {
		String url = c.admin() ? baseUrl() + "/reindex-admin/" + c.path() : baseUrl() + c.path();
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
				.timeout(Duration.ofSeconds(120))
				.header("Accept", c.admin() ? "application/json" : JSON)
				.method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
						: HttpRequest.BodyPublishers.ofString(c.body(), StandardCharsets.UTF_8));
		if (c.contentType() != null) {
			b.header("Content-Type", c.contentType() + "; charset=utf-8");
		}
		if (c.admin() && !c.method().equals("GET")) {
			b.header("X-HFR-Request", "1");
		}
		return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	/** Null when the answer is right, else what is wrong with it. */
	private static String check(Case c, HttpResponse<String> r) {
		String shown = r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length()));
		if (r.statusCode() < 400 || r.statusCode() > 499) {
			return "not 4xx: " + shown;
		}
		if (c.admin()) {
			try {
				JsonNode json = MAPPER.readTree(r.body());
				if (!json.path("resourceType").asText().equals("OperationOutcome")
						|| json.path("issue").path(0).path("diagnostics").asText().isBlank()) {
					return "no OperationOutcome with diagnostics: " + shown;
				}
			} catch (IOException e) {
				return "not JSON: " + shown;
			}
			return null;
		}
		try {
			OperationOutcome outcome = FHIR.newJsonParser().parseResource(OperationOutcome.class, r.body());
			if (outcome.getIssue().isEmpty() || outcome.getIssueFirstRep().getDiagnostics() == null) {
				return "OperationOutcome without diagnostics: " + shown;
			}
		} catch (RuntimeException e) {
			return "not an OperationOutcome: " + shown;
		}
		return null;
	}
}
