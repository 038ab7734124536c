package io.hapireindex.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a benchmark run measured; written to {@code results.json} and merged with earlier runs. */
public final class BenchResults {

	/**
	 * One timed execution of one case by one engine ({@code hapi}, {@code module} or {@code floor}); heap figures
	 * as {@link HeapSampler} measures them.
	 */
	public record Run(String db, int size, String caseName, String engine, int repeat, double seconds, long resources,
			Double steadyPerSecond, long peakHeapBytes, long peakLiveBytes, String jobId, Long values, String at) {
		public double perSecond() {
			return resources / seconds;
		}
	}

	/** Index rows after HAPI's job and after the module's on the same data. */
	public record Check(String db, int size, String caseName, int repeat, String hapiDigest, String moduleDigest,
			long rows, boolean equal, String diffSample) {}

	/**
	 * A loaded data set: resources per type, the average stored body (characters of current JSON versions), and how
	 * long loading took (null when unknown).
	 */
	public record Dataset(String db, int size, long seed, int generatorVersion, Map<String, Long> mix,
			Double avgBodyChars, Double loadSeconds, boolean reused, String dbVersion, String source) {
		/** Where the data came from; results written before Synthea was a source have none. */
		public String sourceOrGenerator() {
			return source == null ? "generator" : source;
		}
	}

	/**
	 * How fast one module job reindexed one resource type: its batches' resources over the time they took (each
	 * batch on one worker), from the module's HFR_JOB_BATCH records. {@code caseName} says which job: {@code full}
	 * (timed, warm) or {@code full-cold} (the first job the server ran).
	 */
	/** @param indexRows the type's search index and link rows (0 in results from before they were counted) */
	public record TypeRate(String db, int size, String caseName, String jobId, String type, long resources,
			long busyMillis, int batches, long indexRows) {
		public double perBusySecond() {
			return busyMillis == 0 ? Double.NaN : resources * 1000.0 / busyMillis;
		}

		/** Index rows per busy second: the rate a cost linear in rows keeps level across shapes. */
		public double rowsPerBusySecond() {
			return busyMillis == 0 || indexRows == 0 ? Double.NaN : indexRows * 1000.0 / busyMillis;
		}
	}

	/**
	 * A search load at a fixed rate, alone and during a {@code maximumConcurrency=1} full reindex (latencies in ms).
	 */
	public record Load(String db, int size, double rate, int idleRequests, int idleErrors, double idleP50, double idleP95,
			int busyRequests, int busyErrors, double busyP50, double busyP95, double busySeconds, String jobId,
			double jobSeconds, String at) {}

	/**
	 * What an untimed full reindex by the module kept reachable ({@link HeldHeapProbe}): the most heap used after a
	 * full collection while it ran, above the level before it.
	 */
	public record Held(String db, int size, String jobId, double seconds, int samples, long peakHeldBytes,
			Long medianHeldBytes, Long driftBytes, String at) {}

	public Map<String, String> machine = new LinkedHashMap<>();
	public List<Held> held = new ArrayList<>();
	public List<Load> loads = new ArrayList<>();
	public List<Dataset> datasets = new ArrayList<>();
	public List<Run> runs = new ArrayList<>();
	public List<Check> checks = new ArrayList<>();
	public List<TypeRate> typeRates = new ArrayList<>();

	/**
	 * Keeps earlier results this run did not replace: data sets of other (db, size) pairs, runs of other (db, size,
	 * case, engine) and checks of other (db, size, case) (a run with {@code bench.cases=one} keeps the earlier full-reindex figures).
	 */
	void mergeOlder(BenchResults older, boolean keepNote) {
		java.util.Set<String> sets = new java.util.HashSet<>();
		datasets.forEach(d -> sets.add(d.db() + "/" + d.size()));
		java.util.Set<String> measured = new java.util.HashSet<>();
		java.util.Set<String> cases = new java.util.HashSet<>();
		runs.forEach(r -> measured.add(r.db() + "/" + r.size() + "/" + r.caseName() + "/" + r.engine()));
		runs.stream().filter(r -> !r.engine().equals("floor")).forEach(r -> cases.add(r.db() + "/" + r.size() + "/" + r.caseName()));
		older.datasets.stream().filter(d -> !sets.contains(d.db() + "/" + d.size())).forEach(datasets::add);
		older.runs.stream().filter(r -> !measured.contains(r.db() + "/" + r.size() + "/" + r.caseName() + "/" + r.engine()))
				.forEach(runs::add);
		older.checks.stream().filter(c -> !cases.contains(c.db() + "/" + c.size() + "/" + c.caseName())).forEach(checks::add);
		java.util.Set<String> loaded = new java.util.HashSet<>();
		loads.forEach(l -> loaded.add(l.db() + "/" + l.size()));
		older.loads.stream().filter(l -> !loaded.contains(l.db() + "/" + l.size())).forEach(loads::add);
		java.util.Set<String> probed = new java.util.HashSet<>();
		held.forEach(h -> probed.add(h.db() + "/" + h.size()));
		if (older.held != null) {
			older.held.stream().filter(h -> !probed.contains(h.db() + "/" + h.size())).forEach(held::add);
		}
		java.util.Set<String> rated = new java.util.HashSet<>();
		typeRates.forEach(t -> rated.add(t.db() + "/" + t.size() + "/" + t.caseName()));
		if (older.typeRates != null) {
			older.typeRates.stream().filter(t -> !rated.contains(t.db() + "/" + t.size() + "/" + t.caseName()))
					.forEach(typeRates::add);
		}
		// a note describes the run that wrote it; only a re-render keeps it
		older.machine.forEach((k, v) -> {
			if (!k.equals("note") || keepNote) {
				machine.putIfAbsent(k, v);
			}
		});
	}
}
