package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import io.hapireindex.testhost.HapiTestServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module's own permission check ({@code hapi-fhir-reindex.required-permission}), here "reindex" looked for as a
 * role and as a scope of the bearer JWT. The host has no authorization interceptor, so every refusal below is the
 * module's: every entry point answers 403 with an OperationOutcome, before any job starts, and nothing changes.
 */
@SpringBootTest(
		classes = HapiTestServer.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = {
			"hapi-fhir-reindex.required-permission=reindex",
			"hapi-fhir-reindex.permission-sources=role,jwt-scope",
			"test.roles-header=true"
		})
class ModulePermissionIT extends HapiServerTestBase {

	private static final String START = "{\"resourceType\":\"Parameters\",\"parameter\":[]}";
	private static final String SLOW_START = "{\"resourceType\":\"Parameters\",\"parameter\":["
			+ "{\"name\":\"batchSize\",\"valueInteger\":1},{\"name\":\"queryDelayIntervalInMilliseconds\",\"valueInteger\":2000}]}";

	@Autowired
	private IJobCoordinator coordinator;

	/** An unsigned JWT, as a host's gateway would pass on after verifying it. */
	static String bearer(String scope, long expiresInSeconds) {
		Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
		String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
		String claims = b64.encodeToString(("{\"sub\":\"tester\",\"scope\":\"" + scope + "\",\"exp\":"
				+ (System.currentTimeMillis() / 1000 + expiresInSeconds) + "}").getBytes(StandardCharsets.UTF_8));
		return "Bearer " + header + "." + claims + ".c2lnbmF0dXJl";
	}

	@Test
	void everyEntryPointRefusesACallerWithoutThePermissionAndChangesNothing() {
		JobApi api = new JobApi(client, baseUrl(), FHIR);
		// The job whose cancel and restart are refused runs over Organizations, outside the fingerprinted Patients.
		for (int i = 0; i < 4; i++) {
			client.create().resource(new org.hl7.fhir.r4.model.Organization().setName("perm-org-" + i)).execute();
		}
		List<String> ids = createPatients(unique("Perm"), "Graz", 5);
		long min = db.pid("Patient", ids.get(0));
		long max = db.pid("Patient", ids.get(ids.size() - 1));
		String patient = ids.get(0);
		String granted = bearer("patient/*.read reindex", 600);
		JobApi.Answer slow = api.post("/Organization/$reindex", SLOW_START, "Authorization", granted);
		assertThat(slow.status()).isEqualTo(201);
		String jobId = JobApi.field(slow.parameters(), "id");
		long jobs = db.jobInstances();
		String before = db.indexFingerprint(min, max);

		Map<String, String[]> callers = new LinkedHashMap<>();
		callers.put("no credentials", new String[0]);
		callers.put("token without the scope", new String[] {"Authorization", bearer("system/*.read user/*.write", 600)});
		callers.put("expired token with the scope", new String[] {"Authorization", bearer("reindex", -60)});
		callers.put("opaque token", new String[] {"Authorization", "Bearer reindex"});
		callers.put("malformed token", new String[] {"Authorization", "Bearer a.!!!.c"});
		callers.put("other role", new String[] {"X-Test-Roles", "reader,writer"});

		AdminHttp admin = new AdminHttp(baseUrl() + "/reindex-admin/");
		List<String> problems = new ArrayList<>();
		callers.forEach((who, h) -> {
			Map<String, JobApi.Answer> fhir = new LinkedHashMap<>();
			fhir.put("server $reindex", api.post("/$reindex", START, h));
			fhir.put("type $reindex", api.post("/Observation/$reindex", START, h));
			fhir.put("instance $reindex", api.post("/Patient/" + patient + "/$reindex", START, h));
			fhir.put("instance $reindex-dryrun GET", api.get("/Patient/" + patient + "/$reindex-dryrun", h));
			fhir.put("instance $reindex-dryrun POST", api.post("/Patient/" + patient + "/$reindex-dryrun", START, h));
			fhir.put("$terminology-reindex", api.post("/$terminology-reindex", START, h));
			fhir.put("CodeSystem/$terminology-reindex", api.post("/CodeSystem/$terminology-reindex", START, h));
			fhir.put("job list", api.get("/_operations/reindex", h));
			fhir.put("job status", api.get("/_operations/reindex/" + jobId, h));
			fhir.put("job cancel", api.delete("/_operations/reindex/" + jobId, h));
			fhir.put("job restart", api.post("/_operations/reindex/" + jobId + "/$restart", "", h));
			fhir.forEach((call, a) -> {
				if (a.status() != 403 || a.body() == null
						|| !a.outcome().getIssueFirstRep().getDiagnostics().contains("requires the permission 'reindex'")) {
					problems.add(who + " / " + call + ": " + a.status() + " " + (a.body() == null ? "" : FHIR.newJsonParser().encodeResourceToString(a.body())));
				}
			});
			String[] post = concat(h, "X-HFR-Request", "1");
			Map<String, AdminHttp.Answer> adminCalls = new LinkedHashMap<>();
			adminCalls.put("admin list", admin.get("api/jobs", h));
			adminCalls.put("admin job", admin.get("api/jobs/" + jobId, h));
			adminCalls.put("admin start", admin.post("api/jobs", "{}", post));
			adminCalls.put("admin cancel", admin.post("api/jobs/" + jobId + "/$cancel", null, post));
			adminCalls.put("admin restart", admin.post("api/jobs/" + jobId + "/$restart", null, post));
			adminCalls.forEach((call, a) -> {
				if (a.status() != 403 || !a.json().path("resourceType").asText().equals("OperationOutcome")
						|| !a.diagnostics().contains("requires the permission 'reindex'")) {
					problems.add(who + " / " + call + ": " + a.status() + " " + a.body());
				}
			});
		});
		assertThat(problems).isEmpty();
		assertThat(db.jobInstances()).as("no job started").isEqualTo(jobs);
		assertThat(coordinator.getInstance(jobId).isCancelled()).as("not cancelled").isFalse();
		assertThat(db.indexFingerprint(min, max)).as("no resource or index row changed").isEqualTo(before);
		// Read-only and needed by every searching client: not guarded.
		assertThat(api.get("/SearchParameter/$status").status()).isEqualTo(200);
		api.delete("/_operations/reindex/" + jobId, "Authorization", granted);
	}

	@Test
	void aCallerWithThePermissionAsScopeOrRoleUsesEveryEntryPoint() {
		JobApi api = new JobApi(client, baseUrl(), FHIR);
		String patient = createPatients(unique("Perm"), "Linz", 1).get(0);
		String[] scope = {"Authorization", bearer("launch/patient reindex openid", 600)};
		String[] role = {"X-Test-Roles", "reader,reindex"};

		JobApi.Answer byScope = api.post("/Patient/$reindex", START, scope);
		assertThat(byScope.status()).isEqualTo(201);
		String jobId = JobApi.field(byScope.parameters(), "id");
		assertThat(api.post("/$reindex", START, role).status()).isEqualTo(201);
		assertThat(api.get("/Patient/" + patient + "/$reindex-dryrun", scope).status()).isEqualTo(200);
		assertThat(api.post("/Patient/" + patient + "/$reindex", START, role).status()).isEqualTo(200);
		assertThat(api.post("/$terminology-reindex", START, scope).status()).isEqualTo(201);
		assertThat(api.get("/_operations/reindex/" + jobId, role).status()).isEqualTo(200);
		assertThat(api.get("/_operations/reindex", scope).status()).isEqualTo(200);
		AdminHttp admin = new AdminHttp(baseUrl() + "/reindex-admin/");
		assertThat(admin.get("api/jobs", role).status()).isEqualTo(200);
		assertThat(admin.get("api/jobs/" + jobId, scope).status()).isEqualTo(200);
		long deadline = System.currentTimeMillis() + 60_000;
		String status;
		do {
			JobApi.sleep(200);
			status = JobApi.field(api.get("/_operations/reindex/" + jobId, scope).parameters(), "status");
		} while (!status.equals("Completed") && System.currentTimeMillis() < deadline);
		assertThat(status).isEqualTo("Completed");
	}

	private static String[] concat(String[] a, String... b) {
		String[] all = new String[a.length + b.length];
		System.arraycopy(a, 0, all, 0, a.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}
}
