package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstanceStartRequest;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import com.fasterxml.jackson.databind.JsonNode;
import io.hapireindex.job.ReindexJob;
import io.hapireindex.testhost.HapiTestServer;
import io.hapireindex.testhost.TestAuthorization;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin page's JSON API on a server with HAPI's AuthorizationInterceptor: the host's rules decide who may use
 * it, cross-site POSTs are refused, and every answer is checked against batch2 and the module's tables.
 */
@SpringBootTest(
		classes = HapiTestServer.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "test.authorization=true")
class AdminApiIT extends HapiServerTestBase {

	static final String[] ADMIN = {"Authorization", TestAuthorization.ADMIN};
	static final String[] ADMIN_POST = {"Authorization", TestAuthorization.ADMIN, "X-HFR-Request", "1"};

	@Autowired
	private IJobCoordinator coordinator;

	private AdminHttp admin;

	@BeforeEach
	void adminClient() {
		client.registerInterceptor(new BearerTokenAuthInterceptor("admin"));
		admin = new AdminHttp(baseUrl() + "/reindex-admin/");
	}

	@Test
	void thePageIsServedByTheModuleWithAStrictContentSecurityPolicy() {
		AdminHttp root = new AdminHttp(baseUrl());
		AdminHttp.Answer redirect = root.get("/reindex-admin");
		assertThat(redirect.status()).isEqualTo(302);
		assertThat(redirect.headers().firstValue("Location")).hasValue("/fhir/reindex-admin/");

		AdminHttp.Answer page = admin.get("");
		assertThat(page.status()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
		assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
				.contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
		assertThat(page.body()).contains("<script src=\"app.js\"").doesNotContain("http://").doesNotContain("https://");
		assertThat(admin.get("app.js").body()).contains("textContent").doesNotContain("innerHTML");
		assertThat(admin.get("app.css").status()).isEqualTo(200);
		assertThat(admin.get("secret.properties").status()).isEqualTo(404);
	}

	@Test
	void theApiAnswers403ToCallersTheHostDoesNotAllowAndChangesNothing() {
		String jobId = startJob("{\"url\":[\"Patient?family=" + unique("Nobody") + "\"]}");
		int jobs = moduleJobCount();
		List<AdminHttp.Answer> refused = new ArrayList<>();
		for (String[] who : List.of(new String[0], new String[] {"Authorization", TestAuthorization.PATIENT_REINDEXER})) {
			refused.add(admin.get("api/jobs", who));
			refused.add(admin.get("api/jobs/" + jobId, who));
			refused.add(admin.get("api/jobs/" + jobId + "/errors.csv", who));
			refused.add(admin.get("api/job-types", who));
			String[] post = concat(who, "X-HFR-Request", "1");
			refused.add(admin.post("api/jobs", "{}", post));
			refused.add(admin.post("api/jobs/" + jobId + "/$cancel", null, post));
			refused.add(admin.post("api/jobs/" + jobId + "/$restart", null, post));
			refused.add(admin.post("api/jobs/" + jobId + "/$retry-failed", null, post));
		}
		assertThat(refused).allSatisfy(a -> {
			assertThat(a.status()).isEqualTo(403);
			assertThat(a.json().path("resourceType").asText()).isEqualTo("OperationOutcome");
			assertThat(a.diagnostics()).containsIgnoringCase("denied");
		});
		assertThat(moduleJobCount()).as("no job started").isEqualTo(jobs);
		assertThat(coordinator.getInstance(jobId).isCancelled()).isFalse();
		assertThat(admin.get("api/jobs", ADMIN).status()).isEqualTo(200);
	}

	@Test
	void crossSitePostsAreRefusedAndChangeNothing() {
		String family = unique("Csrf");
		createPatients(family, "Csrf", 3);
		String body = "{\"url\":[\"Patient?family=" + family + "\"],\"queryDelayIntervalInMilliseconds\":\"5000\"}";
		int jobs = moduleJobCount();

		AdminHttp.Answer noHeader = admin.post("api/jobs", body, ADMIN);
		AdminHttp.Answer evilOrigin = admin.post("api/jobs", body, concat(ADMIN_POST, "Origin", "http://evil.example"));
		AdminHttp.Answer evilReferer =
				admin.post("api/jobs", body, concat(ADMIN_POST, "Referer", "http://evil.example/reindex-admin/"));
		AdminHttp.Answer nullOrigin = admin.post("api/jobs", body, concat(ADMIN_POST, "Origin", "null"));
		AdminHttp.Answer otherPort =
				admin.post("api/jobs", body, concat(ADMIN_POST, "Origin", "http://localhost:" + (port + 1)));
		for (AdminHttp.Answer a : List.of(noHeader, evilOrigin, evilReferer, nullOrigin, otherPort)) {
			assertThat(a.status()).isEqualTo(403);
			assertThat(a.json().path("issue").path(0).path("code").asText()).isEqualTo("forbidden");
			assertThat(a.diagnostics()).startsWith("Cross-site request refused");
		}
		assertThat(moduleJobCount()).as("no job started by a refused POST").isEqualTo(jobs);

		AdminHttp.Answer sameSite = admin.post("api/jobs", body, concat(ADMIN_POST, "Origin", "http://localhost:" + port));
		assertThat(sameSite.status()).isEqualTo(201);
		String jobId = sameSite.json().path("id").asText();
		assertThat(coordinator.getInstance(jobId).getJobDefinitionId()).isEqualTo(ReindexJob.JOB_DEFINITION_ID);

		AdminHttp.Answer evilCancel =
				admin.post("api/jobs/" + jobId + "/$cancel", null, concat(ADMIN_POST, "Origin", "http://evil.example"));
		assertThat(evilCancel.status()).isEqualTo(403);
		assertThat(coordinator.getInstance(jobId).isCancelled()).as("not cancelled").isFalse();
		AdminHttp.Answer cancel = admin.post("api/jobs/" + jobId + "/$cancel", null,
				concat(ADMIN_POST, "Referer", "http://localhost:" + port + "/fhir/reindex-admin/"));
		assertThat(cancel.status()).isEqualTo(202);
		assertThat(coordinator.getInstance(jobId).isCancelled()).isTrue();
	}

	@Test
	void startFormErrorsNameTheParameterWithTheMessagesOfReindex() {
		int jobs = moduleJobCount();
		AdminHttp.Answer tooMany = admin.post("api/jobs", "{\"maximumConcurrency\":\"50\"}", ADMIN_POST);
		assertThat(tooMany.status()).isEqualTo(400);
		assertThat(tooMany.json().path("issue").path(0).path("expression").path(0).asText()).isEqualTo("maximumConcurrency");
		assertThat(tooMany.diagnostics()).isEqualTo("Parameter 'maximumConcurrency': 50 is out of range 1..10");
		AdminHttp.Answer unknown = admin.post("api/jobs", "{\"color\":\"red\"}", ADMIN_POST);
		assertThat(unknown.status()).isEqualTo(400);
		assertThat(unknown.json().path("issue").path(0).path("expression").path(0).asText()).isEqualTo("color");
		AdminHttp.Answer badUrl = admin.post("api/jobs", "{\"url\":[\"Nothing?x=1\"]}", ADMIN_POST);
		assertThat(badUrl.status()).isEqualTo(400);
		assertThat(badUrl.json().path("issue").path(0).path("expression").path(0).asText()).isEqualTo("url");
		AdminHttp.Answer notJson = admin.post("api/jobs", "maximumConcurrency=5", ADMIN_POST);
		assertThat(notJson.status()).isEqualTo(400);
		assertThat(moduleJobCount()).as("no job for a rejected form").isEqualTo(jobs);
	}

	@Test
	void theListPagesNewestFirstAndFiltersByStateAndType() {
		String family = unique("List");
		createPatients(family, "List", 2);
		List<String> started = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			// different batch sizes: identical parameters would reuse the running job
			started.add(startJob("{\"url\":[\"Patient?family=" + family + "\"],\"batchSize\":\"" + (10 + i) + "\"}"));
		}
		JsonNode page = admin.get("api/jobs?size=2&type=" + ReindexJob.JOB_DEFINITION_ID, ADMIN).json();
		assertThat(page.path("size").asInt()).isEqualTo(2);
		assertThat(page.path("jobs")).hasSize(2);
		assertThat(page.path("total").asLong()).isGreaterThanOrEqualTo(3);
		assertThat(page.path("totalPages").asLong()).isEqualTo((page.path("total").asLong() + 1) / 2);
		assertThat(ids(page)).as("newest first").containsExactly(started.get(2), started.get(1));
		JsonNode second = admin.get("api/jobs?size=2&page=1&type=" + ReindexJob.JOB_DEFINITION_ID, ADMIN).json();
		assertThat(ids(second).get(0)).isEqualTo(started.get(0));

		for (String id : started) {
			awaitState(id, "COMPLETED");
		}
		JsonNode completed = admin.get("api/jobs?size=200&state=COMPLETED", ADMIN).json();
		assertThat(completed.path("jobs")).allSatisfy(j -> assertThat(j.path("state").asText()).isEqualTo("COMPLETED"));
		assertThat(ids(completed)).containsAll(started);
		JsonNode row = completed.path("jobs").get(ids(completed).indexOf(started.get(0)));
		assertThat(row.path("type").asText()).isEqualTo(ReindexJob.JOB_DEFINITION_ID);
		assertThat(row.path("status").asText()).isEqualTo("Completed");
		assertThat(row.path("progress").asDouble()).isEqualTo(100.0);
		assertThat(row.path("done").asLong()).isEqualTo(2);
		assertThat(row.path("total").asLong()).isEqualTo(2);
		assertThat(row.path("created").asText()).isNotEmpty();
		assertThat(row.path("ended").asText()).isNotEmpty();
		assertThat(row.path("canCancel").asBoolean()).isFalse();
		assertThat(row.path("canRestart").asBoolean()).isTrue();
		assertThat(admin.get("api/jobs?size=200&state=QUEUED&type=" + ReindexJob.JOB_DEFINITION_ID, ADMIN).json()
				.path("jobs").findValuesAsText("id")).doesNotContainAnyElementsOf(started);

		List<String> types = new ArrayList<>();
		admin.get("api/job-types", ADMIN).json().path("types").forEach(t -> types.add(t.asText()));
		assertThat(types).contains(ReindexJob.JOB_DEFINITION_ID, "REINDEX", "BULK_EXPORT");

		assertThat(admin.get("api/jobs?state=Running", ADMIN).status()).isEqualTo(400);
		assertThat(admin.get("api/jobs?size=0", ADMIN).status()).isEqualTo(400);
		assertThat(admin.get("api/jobs?size=201", ADMIN).status()).isEqualTo(400);
		assertThat(admin.get("api/jobs/" + unique("nojob"), ADMIN).status()).isEqualTo(404);
		assertThat(admin.post("api/jobs/" + started.get(0) + "/$cancel", null, ADMIN_POST).status())
				.as("an ended job cannot be cancelled").isEqualTo(409);
	}

	@Test
	void aFailedResourceIsInTheDetailAndBothDownloadsAndRetryReindexesOnlyIt() {
		String family = unique("AdminBroken");
		List<String> ids = createPatients(family, "Broken", 4);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		long pid = db.pid("Patient", ids.get(1));
		String good = jdbc.queryForObject("SELECT RES_TEXT_VC FROM HFJ_RES_VER WHERE RES_ID = ?", String.class, pid);
		jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", "{\"resourceType\":\"Patient\",", pid);
		try {
			String jobId = startJob("{\"url\":[\"Patient?family=" + family + "\"],\"batchSize\":\"2\"}");
			JsonNode detail = awaitState(jobId, "COMPLETED");
			assertThat(detail.path("status").asText()).isEqualTo("Failed");
			assertThat(detail.path("failed").asLong()).isEqualTo(1);
			assertThat(detail.path("canRetryFailed").asBoolean()).isTrue();
			assertThat(detail.path("errors").get(0).path("resource").asText()).isEqualTo("Patient/" + ids.get(1));
			assertThat(detail.path("errors").get(0).path("message").asText()).isNotBlank();
			JsonNode byType = detail.path("byType").get(0);
			assertThat(byType.path("resourceType").asText()).isEqualTo("Patient");
			assertThat(byType.path("total").asLong()).isEqualTo(4);
			assertThat(byType.path("reindexed").asLong()).isEqualTo(3);
			assertThat(byType.path("failed").asLong()).isEqualTo(1);
			assertThat(detail.path("byPartition").get(0).path("total").asLong()).isEqualTo(4);
			assertThat(detail.path("scopes").get(0).path("scope").asText()).contains(family);
			assertThat(detail.path("throughput").path("batches").asInt()).isEqualTo(2);
			assertThat(detail.path("throughput").path("ratePerSecond")).isNotEmpty();
			assertThat(detail.path("parameters").path("request").path("url").get(0).asText()).contains(family);
			assertThat(detail.path("chunks").isArray()).isTrue();

			AdminHttp.Answer csv = admin.get("api/jobs/" + jobId + "/errors.csv", ADMIN);
			assertThat(csv.status()).isEqualTo(200);
			assertThat(csv.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment");
			// RFC 4180: records end in CRLF; HAPI's message has a bare LF inside its quoted cell
			assertThat(csv.body()).startsWith("resource,message,time\r\n\"Patient/" + ids.get(1) + "\",\"")
					.contains("Failed to parse").endsWith("Z\"\r\n");
			assertThat(csv.body().split("\r\n")).as("header + one record").hasSize(2);
			AdminHttp.Answer ndjson = admin.get("api/jobs/" + jobId + "/errors.ndjson", ADMIN);
			List<String> records = ndjson.body().lines().toList();
			assertThat(records).hasSize(1);
			assertThat(new AdminHttp.Answer(200, records.get(0), null).json().path("resource").asText())
					.isEqualTo("Patient/" + ids.get(1));

			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", good, pid);
			AdminHttp.Answer retry = admin.post("api/jobs/" + jobId + "/$retry-failed", null, ADMIN_POST);
			assertThat(retry.status()).isEqualTo(201);
			JsonNode retried = awaitState(retry.json().path("id").asText(), "COMPLETED");
			assertThat(retried.path("status").asText()).isEqualTo("Completed");
			assertThat(retried.path("total").asLong()).as("only the failed resource").isEqualTo(1);
			assertThat(retried.path("request").path("resourceId").get(0).asText()).isEqualTo("Patient/" + ids.get(1));
			assertThat(retried.path("request").path("batchSize").get(0).asText()).as("old settings kept").isEqualTo("2");

			AdminHttp.Answer restart = admin.post("api/jobs/" + jobId + "/$restart", null, ADMIN_POST);
			assertThat(restart.status()).isEqualTo(201);
			JsonNode restarted = awaitState(restart.json().path("id").asText(), "COMPLETED");
			assertThat(restarted.path("restartOf").asText()).isEqualTo(jobId);
			assertThat(admin.post("api/jobs/" + jobId + "/$restart", null, ADMIN_POST).status())
					.as("the contract's restart-once rule").isEqualTo(409);
		} finally {
			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", good, pid);
		}
	}

	@Test
	void hapisOwnJobsAreListedShownAndCancelledThroughBatch2() {
		ca.uhn.fhir.batch2.jobs.reindex.ReindexJobParameters params = new ca.uhn.fhir.batch2.jobs.reindex.ReindexJobParameters();
		params.addUrl("Patient?_id=" + unique("none"));
		JobInstanceStartRequest start = new JobInstanceStartRequest("REINDEX", params);
		String jobId = coordinator.startInstance(new ca.uhn.fhir.rest.api.server.SystemRequestDetails(), start).getInstanceId();

		JsonNode list = admin.get("api/jobs?type=REINDEX&size=200", ADMIN).json();
		JsonNode row = list.path("jobs").get(ids(list).indexOf(jobId));
		assertThat(row.path("module").asBoolean()).isFalse();
		assertThat(row.path("canCancel").asBoolean()).isTrue();
		assertThat(row.path("canRestart").asBoolean()).isFalse();
		JsonNode detail = admin.get("api/jobs/" + jobId, ADMIN).json();
		assertThat(detail.path("type").asText()).isEqualTo("REINDEX");
		assertThat(detail.path("parameters").path("partitionedUrl").get(0).path("url").asText()).startsWith("Patient?_id=");
		assertThat(admin.post("api/jobs/" + jobId + "/$restart", null, ADMIN_POST).status()).isEqualTo(400);

		AdminHttp.Answer cancel = admin.post("api/jobs/" + jobId + "/$cancel", null, ADMIN_POST);
		assertThat(cancel.status()).isEqualTo(202);
		assertThat(cancel.json().path("cancelRequested").asBoolean()).isTrue();
		assertThat(coordinator.getInstance(jobId).isCancelled()).isTrue();
	}

	// ---------------------------------------------------------------- helpers

	private String startJob(String form) {
		AdminHttp.Answer started = admin.post("api/jobs", form, ADMIN_POST);
		assertThat(started.status()).as(started.body()).isEqualTo(201);
		return started.json().path("id").asText();
	}

	private JsonNode awaitState(String jobId, String state) {
		long deadline = System.currentTimeMillis() + 60_000;
		JsonNode detail;
		do {
			detail = admin.get("api/jobs/" + jobId, ADMIN).json();
			if (StatusEnum.valueOf(detail.path("state").asText()).isEnded()) {
				assertThat(detail.path("state").asText()).as("job %s", jobId).isEqualTo(state);
				return detail;
			}
			JobApi.sleep(100);
		} while (System.currentTimeMillis() < deadline);
		throw new AssertionError("job " + jobId + " not ended: " + detail);
	}

	private static List<String> ids(JsonNode page) {
		List<String> ids = new ArrayList<>();
		page.path("jobs").forEach(j -> ids.add(j.path("id").asText()));
		return ids;
	}

	private int moduleJobCount() {
		return coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0).size();
	}

	static String[] concat(String[] a, String... b) {
		String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}
}
