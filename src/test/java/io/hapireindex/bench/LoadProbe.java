package io.hapireindex.bench;

import org.springframework.jdbc.core.JdbcTemplate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A read and search load at a fixed rate, as clinical users put on a server while an operator reindexes: reads
 * of patients, their observations and encounters, and searches by code. Open loop (a request leaves on schedule
 * whether or not earlier ones are answered), so a slow server shows as latency rather than as fewer requests.
 * Bodies are read but not parsed, to keep the probe's own work small in the shared JVM.
 */
final class LoadProbe {

	/** Latencies of one window, in milliseconds. */
	record Window(int requests, int errors, double p50, double p95, double seconds) {}

	private final String base;
	private final List<String> paths = new ArrayList<>();
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	LoadProbe(String base, JdbcTemplate jdbc, long seed) {
		this.base = base;
		List<String> patients = jdbc.queryForList(
				"SELECT FHIR_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND RES_DELETED_AT IS NULL ORDER BY RES_ID",
				String.class);
		List<String> codes = jdbc.queryForList(
				"SELECT DISTINCT SP_VALUE FROM HFJ_SPIDX_TOKEN WHERE RES_TYPE = 'Observation' AND SP_NAME = 'code'"
						+ " AND SP_VALUE IS NOT NULL ORDER BY SP_VALUE",
				String.class);
		Random random = new Random(seed);
		for (int i = 0; i < 400; i++) {
			String patient = patients.get(random.nextInt(patients.size()));
			switch (i % 4) {
				case 0 -> paths.add("/Patient/" + patient);
				case 1 -> paths.add("/Observation?subject=Patient/" + patient + "&_count=20");
				case 2 -> paths.add("/Encounter?patient=Patient/" + patient + "&_count=20");
				default -> paths.add("/Observation?code=" + codes.get(random.nextInt(codes.size())) + "&_count=20");
			}
		}
	}

	/**
	 * Sends {@code perSecond} requests a second for up to {@code maxMillis}, stopping early once {@code keepGoing}
	 * says no; a handful of warm-up requests first, not counted.
	 */
	Window run(double perSecond, long maxMillis, BooleanSupplier keepGoing) throws Exception {
		for (int i = 0; i < 8; i++) {
			send(paths.get(i));
		}
		ExecutorService pool = Executors.newFixedThreadPool(16);
		List<Future<Long>> sent = new ArrayList<>();
		long intervalNanos = (long) (1e9 / perSecond);
		long start = System.nanoTime();
		int i = 0;
		try {
			while (System.nanoTime() - start < maxMillis * 1_000_000L && keepGoing.getAsBoolean()) {
				String path = paths.get(i++ % paths.size());
				sent.add(pool.submit(() -> send(path)));
				long next = start + i * intervalNanos;
				long wait = next - System.nanoTime();
				if (wait > 0) {
					TimeUnit.NANOSECONDS.sleep(wait);
				}
			}
		} finally {
			pool.shutdown();
			pool.awaitTermination(2, TimeUnit.MINUTES);
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		List<Long> nanos = new ArrayList<>();
		int errors = 0;
		for (Future<Long> f : sent) {
			long n = f.get();
			if (n < 0) {
				errors++;
			} else {
				nanos.add(n);
			}
		}
		Collections.sort(nanos);
		return new Window(sent.size(), errors, percentile(nanos, 50), percentile(nanos, 95), seconds);
	}

	/** Latency in nanoseconds, or -1 when the answer was not a 200. */
	private long send(String path) throws Exception {
		long t0 = System.nanoTime();
		HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
				HttpResponse.BodyHandlers.ofByteArray());
		long n = System.nanoTime() - t0;
		return r.statusCode() == 200 ? n : -1;
	}

	private static double percentile(List<Long> sorted, int p) {
		if (sorted.isEmpty()) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
		return sorted.get(Math.max(0, index)) / 1e6;
	}
}
