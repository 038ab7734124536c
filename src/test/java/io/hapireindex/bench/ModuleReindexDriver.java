package io.hapireindex.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The module's job, as an operator runs it: {@code POST [base]/$reindex} over HTTP, then the job status URL polled
 * every 100 ms until it ends. Steady-state speed comes from the module's own batch log (HFR_JOB_BATCH).
 */
final class ModuleReindexDriver {

	private final IGenericClient client;
	private final String base;
	private final FhirContext fhir;
	private final JdbcTemplate jdbc;
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	ModuleReindexDriver(IGenericClient client, String base, FhirContext fhir, JdbcTemplate jdbc) {
		this.client = client;
		this.base = base;
		this.fhir = fhir;
		this.jdbc = jdbc;
	}

	JobRun run(Parameters start, long timeoutMillis) throws IOException, InterruptedException {
		long t0 = System.nanoTime();
		return await(start(start), t0, timeoutMillis);
	}

	/** Starts a job (an older identical one, left by an interrupted run, is canceled first); its id. */
	String start(Parameters start) throws IOException, InterruptedException {
		long wallStart = System.currentTimeMillis();
		String jobId = post(start);
		if (startedBefore(jobId, wallStart)) {
			cancel(jobId);
			wallStart = System.currentTimeMillis();
			jobId = post(start);
			if (startedBefore(jobId, wallStart)) {
				throw new IllegalStateException("POST $reindex answered with job " + jobId + ", queued before this run"
						+ " started, even after the benchmark canceled it; cancel it (DELETE [base]/_operations/reindex/"
						+ jobId + ") and run again.");
			}
		}
		return jobId;
	}

	private String post(Parameters start) {
		MethodOutcome outcome = client.operation().onServer().named("$reindex").withParameters(start)
				.returnMethodOutcome().execute();
		String location = outcome.getResponseHeaders().get("content-location").get(0);
		return location.substring(location.lastIndexOf('/') + 1);
	}

	/** Cancels a job left by an earlier run and waits (up to 10 minutes) until it has ended. */
	private void cancel(String jobId) throws IOException, InterruptedException {
		System.out.printf("[bench] job %s was left running by an earlier, interrupted run: canceling it%n", jobId);
		HttpResponse<String> r = http.send(
				HttpRequest.newBuilder(URI.create(base + "/_operations/reindex/" + jobId)).DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
		if (r.statusCode() >= 300) {
			throw new IllegalStateException("canceling job " + jobId + " answered " + r.statusCode() + ": " + r.body());
		}
		long deadline = System.currentTimeMillis() + 600_000;
		while (running(jobId)) {
			if (System.currentTimeMillis() > deadline) {
				throw new IllegalStateException("job " + jobId + " still running 10 minutes after it was canceled");
			}
			Thread.sleep(200);
		}
	}

	/** Whether the job has not ended yet. */
	boolean running(String jobId) throws IOException, InterruptedException {
		String state = field(status(jobId), "status");
		return !(state.equals("Completed") || state.equals("Failed") || state.equals("Canceled"));
	}

	/** Polls the job until it ends; timed from {@code t0} (a {@link System#nanoTime()}). */
	JobRun await(String jobId, long t0, long timeoutMillis) throws IOException, InterruptedException {
		long deadline = System.currentTimeMillis() + timeoutMillis;
		Parameters status;
		String state;
		while (true) {
			status = status(jobId);
			state = field(status, "status");
			if (state.equals("Completed") || state.equals("Failed") || state.equals("Canceled")) {
				break;
			}
			if (System.currentTimeMillis() > deadline) {
				throw new IllegalStateException("module job " + jobId + " still " + state + " after " + timeoutMillis / 1000 + " s");
			}
			Thread.sleep(100);
		}
		double seconds = (System.nanoTime() - t0) / 1e9;
		if (!state.equals("Completed")) {
			throw new IllegalStateException("module job " + jobId + " ended " + state + ": "
					+ fhir.newJsonParser().encodeResourceToString(status));
		}
		long processed = Long.parseLong(field(status, "resourcesSuccessfullyReindexed").replaceAll("\\.0+$", ""));
		Double steady = jdbc.query(
				"SELECT SUM(RESOURCES), MIN(STARTED_MS), MAX(ENDED_MS) FROM HFR_JOB_BATCH WHERE JOB_ID = ?",
				rs -> {
					rs.next();
					long n = rs.getLong(1);
					long span = rs.getLong(3) - rs.getLong(2);
					return n > 0 && span > 0 ? n / (span / 1000.0) : null;
				},
				jobId);
		return new JobRun(jobId, seconds, processed, steady);
	}

	/**
	 * The module answers a start with an identical queued or running job instead of a second one. A job left
	 * running by an earlier, interrupted benchmark on a reused data set would then be timed in place of this run's
	 * work (and would not redo the pages it had already done before the rows were reset).
	 */
	private boolean startedBefore(String jobId, long wallStart) throws IOException, InterruptedException {
		Parameters.ParametersParameterComponent queued = status(jobId).getParameter("queuedTime");
		return queued != null && queued.getValue() instanceof org.hl7.fhir.r4.model.DateTimeType time
				&& time.getValue().getTime() < wallStart - 1_000;
	}

	private Parameters status(String jobId) throws IOException, InterruptedException {
		HttpResponse<String> r = http.send(
				HttpRequest.newBuilder(URI.create(base + "/_operations/reindex/" + jobId)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
		if (r.statusCode() != 200) {
			throw new IllegalStateException("job status " + jobId + " answered " + r.statusCode() + ": " + r.body());
		}
		return fhir.newJsonParser().parseResource(Parameters.class, r.body());
	}

	private static String field(Parameters p, String name) {
		Parameters.ParametersParameterComponent c = p.getParameter(name);
		return c == null ? "" : ((PrimitiveType<?>) c.getValue()).getValueAsString();
	}
}
