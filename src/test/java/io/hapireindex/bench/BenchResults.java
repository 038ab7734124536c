package io.hapireindex.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a benchmark run measured; written to {@code results.json} and merged with earlier runs. */
public final class BenchResults {

	/** One timed execution of one case by one engine ({@code hapi}, {@code module} or {@code floor}). */
	public record Run(String db, int size, String caseName, String engine, int repeat, double seconds, long resources,
			Double steadyPerSecond, long peakHeapBytes, String jobId, Long values, String at) {
		public double perSecond() {
			return resources / seconds;
		}
	}

	/** Index rows after HAPI's job and after the module's on the same data. */
	public record Check(String db, int size, String caseName, int repeat, String hapiDigest, String moduleDigest,
			long rows, boolean equal, String diffSample) {}

	/** A loaded data set: resources per type and how long loading took (null when unknown). */
	public record Dataset(String db, int size, long seed, int generatorVersion, Map<String, Long> mix,
			Double loadSeconds, boolean reused, String dbVersion) {}

	public Map<String, String> machine = new LinkedHashMap<>();
	public List<Dataset> datasets = new ArrayList<>();
	public List<Run> runs = new ArrayList<>();
	public List<Check> checks = new ArrayList<>();

	/** Keeps earlier results for (db, size) pairs this run did not measure. */
	void mergeOlder(BenchResults older) {
		java.util.Set<String> measured = new java.util.HashSet<>();
		datasets.forEach(d -> measured.add(d.db() + "/" + d.size()));
		older.datasets.stream().filter(d -> !measured.contains(d.db() + "/" + d.size())).forEach(datasets::add);
		older.runs.stream().filter(r -> !measured.contains(r.db() + "/" + r.size())).forEach(runs::add);
		older.checks.stream().filter(c -> !measured.contains(c.db() + "/" + c.size())).forEach(checks::add);
		older.machine.forEach(machine::putIfAbsent);
	}
}
