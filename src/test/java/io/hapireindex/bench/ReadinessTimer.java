package io.hapireindex.bench;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.SearchParameter;
import org.hl7.fhir.r4.model.UriType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What an operator waits for in {@code search-parameter-reindex=auto} mode: from the create of a new
 * SearchParameter on Observation to {@code GET SearchParameter/$status} saying {@code ready}. Afterwards the
 * parameter is deleted again and its removal job awaited, so the data set stays as it was.
 */
final class ReadinessTimer {

	static final String URL = "http://hapi-fhir-reindex.io/bench/SearchParameter/bench-ready-status";
	private static final String ID = "bench-ready-status";

	private final IGenericClient client;
	private final JdbcTemplate jdbc;

	ReadinessTimer(BenchServer server) {
		this.client = server.client();
		this.jdbc = server.jdbc();
	}

	/** @return seconds from the create's response to the first {@code $status} answer saying ready */
	JobRun time(long timeoutMillis) throws InterruptedException {
		// an interrupted earlier run may have left the parameter behind
		removeParameter(timeoutMillis);
		SearchParameter sp = new SearchParameter();
		sp.setId(ID);
		sp.setUrl(URL);
		sp.setName("bench-ready-status");
		sp.setCode("bench-ready-status");
		sp.setStatus(Enumerations.PublicationStatus.ACTIVE);
		sp.addBase("Observation");
		sp.setType(Enumerations.SearchParamType.TOKEN);
		sp.setExpression("Observation.status");
		sp.setDescription("Benchmark: time from create to ready");
		long t0 = System.nanoTime();
		client.update().resource(sp).execute();
		String status = await("ready", timeoutMillis);
		double seconds = (System.nanoTime() - t0) / 1e9;
		String jobId = part("jobId");
		long processed = jdbc.queryForObject(
				"SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Observation' AND RES_DELETED_AT IS NULL", Long.class);
		if (!"ready".equals(status)) {
			throw new IllegalStateException("SearchParameter not ready after " + timeoutMillis + " ms: " + status);
		}
		removeParameter(timeoutMillis);
		return new JobRun(jobId, seconds, processed, null);
	}

	/**
	 * Deletes the parameter and waits until the automatic job has removed its rows. A parameter an interrupted run
	 * deleted before its job ran leaves rows no new delete removes: a full reindex of Observation does.
	 */
	private void removeParameter(long timeoutMillis) throws InterruptedException {
		client.delete().resourceById("SearchParameter", ID).execute();
		long deadline = System.currentTimeMillis() + timeoutMillis;
		long nudge = System.currentTimeMillis() + 20_000;
		while (rows() > 0 && System.currentTimeMillis() < deadline) {
			if (System.currentTimeMillis() > nudge) {
				client.operation().onType("Observation").named("$reindex").withNoParameters(Parameters.class).execute();
				nudge = deadline;
			}
			Thread.sleep(200);
		}
	}

	private long rows() {
		return jdbc.queryForObject("SELECT COUNT(*) FROM HFJ_SPIDX_TOKEN WHERE SP_NAME = 'bench-ready-status'", Long.class);
	}

	private String await(String wanted, long timeoutMillis) throws InterruptedException {
		long deadline = System.currentTimeMillis() + timeoutMillis;
		String status = null;
		while (System.currentTimeMillis() < deadline) {
			status = part("status");
			if (wanted.equals(status) || "failed".equals(status)) {
				return status;
			}
			Thread.sleep(50);
		}
		return status;
	}

	private String part(String name) {
		Parameters out = client.operation()
				.onType("SearchParameter")
				.named("$status")
				.withParameter(Parameters.class, "url", new UriType(URL))
				.useHttpGet()
				.execute();
		return out.getParameter().stream()
				.flatMap(p -> p.getPart().stream())
				.filter(p -> p.getName().equals(name))
				.map(p -> p.getValue().primitiveValue())
				.findFirst()
				.orElse(null);
	}
}
