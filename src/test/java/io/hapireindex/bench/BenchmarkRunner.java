package io.hapireindex.bench;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.api.IJobPartitionProvider;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.IndexTables;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the benchmark's cases on one loaded data set, HAPI and the module alternating, and checks after every full
 * and targeted pair that both left the same index rows.
 *
 * <p>Cases: {@code full} (every resource, every parameter), {@code targeted} (the new Observation parameter:
 * HAPI reindexes {@code Observation?} with all parameters, the module only that parameter), {@code targeted-1pct}
 * (module only: the new parameter over ~1% of the resources), {@code one} (one Observation), and the
 * {@code floor} engine for full and targeted (read + parse, + extract for full; single thread, no writes).
 */
public final class BenchmarkRunner {

	public static final Set<String> ALL_CASES = Set.of("full", "targeted", "one", "floor");
	/**
	 * Cases the CI smoke test leaves out: a search load during a throttled reindex, SearchParameter readiness, and
	 * the held-heap probe alone (without the timed full case, which runs it too).
	 */
	public static final Set<String> EXTRA_CASES = Set.of("load", "ready", "held");
	/** Requests per second of the search load (issue 5): busy clinical use of a small server, not a stress test. */
	static final double LOAD_RATE = 20;
	static final long LOAD_WINDOW_MILLIS = 30_000;
	/** Full collections the held-heap probe aims for, whatever the size (spaced by the warm-up job's length). */
	static final int HELD_SAMPLES = 60;
	/** About 1% of the generated resources: smoking-status Observations of current smokers. */
	static final String ONE_PERCENT_URL =
			"Observation?code=http://loinc.org|72166-2&value-concept=http://snomed.info/sct|77176002";

	/**
	 * @param driveHapiMaintenance run maintenance passes while HAPI's job runs (smoke test only)
	 * @param generatorData        the data set is {@link ClinicalDataGenerator}'s (its ids and its ~1% Observations
	 *                             are known); otherwise Synthea's
	 */
	public record Options(int repeats, Set<String> cases, Path snapshotDir, String idPrefix, boolean driveHapiMaintenance,
			boolean runHapi, boolean generatorData) {}

	private final BenchServer server;
	private final Options options;
	private final String db;
	private final int size;
	private final JdbcTemplate jdbc;
	private final HapiReindexDriver hapi;
	private final ModuleReindexDriver module;
	private final Floors floors;
	private final BenchResults results;
	private final long timeoutMillis;
	/** See {@link #indexRowsByType()}. */
	private Map<String, Long> indexRowsByType;

	public BenchmarkRunner(BenchServer server, Options options, String db, int size, BenchResults results) {
		this.server = server;
		this.options = options;
		this.db = db;
		this.size = size;
		this.results = results;
		this.jdbc = server.jdbc();
		this.hapi = new HapiReindexDriver(server.bean(IJobCoordinator.class), server.bean(IJobPartitionProvider.class),
				server.bean(IJobMaintenanceService.class), jdbc, options.driveHapiMaintenance());
		FhirContext fhir = server.bean(FhirContext.class);
		this.module = new ModuleReindexDriver(server.client(), server.baseUrl(), fhir, jdbc);
		this.floors = new Floors(server.dataSource(), fhir, server.bean(ISearchParamExtractor.class));
		// HAPI's gated job waits up to a minute per step; big data sets take long on top
		this.timeoutMillis = 900_000L + size * 60L;
	}

	/** Creates the benchmark's SearchParameter (idempotent) and makes this node use it at once. */
	public static void prepareSearchParameter(BenchServer server) {
		new DatasetLoader(null, server.bean(DaoRegistry.class)).putSearchParameter();
		server.bean(ISearchParamRegistry.class).forceRefresh();
	}

	/** Runs every selected case {@code repeats} times; false when HAPI's and the module's index rows differ. */
	public boolean run() throws Exception {
		boolean equal = true;
		List<String> allTypes = allTypeUrls();
		long total = count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS NULL");
		long observations = count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS NULL AND RES_TYPE = 'Observation'");
		JobRun warm = null;
		if (options.cases().contains("full") || options.cases().contains("targeted") || options.cases().contains("load")
				|| options.cases().contains("held")) {
			warm = warmUp();
		}
		if (options.cases().contains("full") || options.cases().contains("held")) {
			probeHeldHeap(warm);
		}
		for (int r = 1; r <= options.repeats(); r++) {
			if (options.cases().contains("floor")) {
				timeFloor("full", r, null, true);
				timeFloor("targeted", r, "Observation", false);
			}
			if (options.cases().contains("full")) {
				// both start from the same state: everything indexed except the new parameter
				resetTargetedRows();
				JobRun h = options.runHapi() ? timeJob("full", "hapi", r, total, () -> hapi.run(allTypes, timeoutMillis)) : null;
				IndexSnapshot hs = h == null ? null : snapshot("full-hapi-" + r);
				resetTargetedRows();
				JobRun m = timeJob("full", "module", r, total, () -> module.run(new Parameters(), timeoutMillis));
				if (r == 1) {
					recordTypeRates("full", m.jobId());
				}
				if (h != null) {
					equal &= compare("full", r, hs, snapshot("full-module-" + r), h, m);
				}
			}
			if (options.cases().contains("targeted")) {
				resetTargetedRows();
				JobRun h = options.runHapi()
						? timeJob("targeted", "hapi", r, observations, () -> hapi.run(List.of("Observation?"), timeoutMillis))
						: null;
				IndexSnapshot hs = h == null ? null : snapshot("targeted-hapi-" + r);
				resetTargetedRows();
				JobRun m = timeJob("targeted", "module", r, observations, () -> module.run(targeted(null), timeoutMillis));
				if (h != null) {
					equal &= compare("targeted", r, hs, snapshot("targeted-module-" + r), h, m);
				}
				if (options.generatorData()) {
					// the ~1% are the generator's current smokers; Synthea's data has no such known share
					resetTargetedRows();
					timeJob("targeted-1pct", "module", r, -1, () -> module.run(targeted(ONE_PERCENT_URL), timeoutMillis));
				}
			}
			if (options.cases().contains("one")) {
				String id = options.generatorData() ? options.idPrefix() + "pat-0-enc-0-obs-0"
						: jdbc.queryForObject("SELECT MIN(FHIR_ID) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Observation'"
								+ " AND RES_DELETED_AT IS NULL", String.class);
				timeJob("one", "module", r, 1, () -> module.run(new Parameters().addParameter("resourceId",
						new StringType("Observation/" + id)), timeoutMillis));
				if (r == options.repeats() && options.runHapi()) {
					// HAPI needs minutes for one resource (gated steps); one run says enough
					timeJob("one", "hapi", r, 1, () -> hapi.run(List.of("Observation?_id=" + id), timeoutMillis));
				}
			}
		}
		if (options.cases().contains("load")) {
			timeLoad();
		}
		if (options.cases().contains("targeted")) {
			// the 1% case left most Observations without the new parameter: leave the data set fully indexed
			module.run(targeted(null), timeoutMillis);
		}
		return equal;
	}

	/**
	 * One untimed full reindex by the module before anything is timed. A server that has just loaded the data set
	 * has not compiled the parse, extract and write paths yet: measured on PostgreSQL 50k, a cold JVM's first full
	 * job took 64.8 s and the next one 34.5 s. HAPI's job shares most of those paths (HAPI's parser, extractor and
	 * Hibernate), so this also spares it the cold start it would otherwise have as the first job timed.
	 */
	private JobRun warmUp() throws Exception {
		resetTargetedRows();
		JvmWork before = JvmWork.now();
		JobRun warm = module.run(new Parameters(), timeoutMillis);
		System.out.printf("[bench] %s %,d warm-up: an untimed full module job, %.1f s (%s)%n", db, size, warm.seconds(),
				JvmWork.now().since(before));
		if (!options.generatorData()) {
			// Synthea's server was started for the measurement: this is a user's first job after a start
			results.runs.add(new BenchResults.Run(db, size, "full-cold", "module", 1, warm.seconds(), warm.processed(),
					warm.steadyPerSecond(), 0, 0, warm.jobId(), null, Instant.now().toString()));
			recordTypeRates("full-cold", warm.jobId());
		}
		return warm;
	}

	/**
	 * Each type's resources per busy second per worker in one module job: the resources of the job's batches of that
	 * type over the time those batches took (a batch runs on one worker). A slow resource shape shows as a slow type.
	 */
	private void recordTypeRates(String caseName, String jobId) {
		Map<String, Long> rows = indexRowsByType();
		jdbc.query("SELECT r.RES_TYPE, SUM(b.RESOURCES), SUM(b.ENDED_MS - b.STARTED_MS), COUNT(*) FROM HFR_JOB_BATCH b"
						+ " JOIN HFJ_RESOURCE r ON r.RES_ID = b.FIRST_PID WHERE b.JOB_ID = ? GROUP BY r.RES_TYPE",
				rs -> {
					BenchResults.TypeRate rate = new BenchResults.TypeRate(db, size, caseName, jobId, rs.getString(1),
							rs.getLong(2), rs.getLong(3), rs.getInt(4), rows.getOrDefault(rs.getString(1), 0L));
					results.typeRates.add(rate);
					System.out.printf("[bench] %s %,d %s %-22s %,7d resources in %,4d batches, %7.0f per busy second per worker"
									+ " (%,d index rows, %,.0f per busy second)%n",
							db, size, caseName, rate.type(), rate.resources(), rate.batches(), rate.perBusySecond(),
							rate.indexRows(), rate.rowsPerBusySecond());
				},
				jobId);
	}

	/**
	 * Each type's rows in the search index tables and its outgoing links: what a full job recomputes. A resource
	 * naming thousands of others (Synthea's Provenance) is slow per resource but should not be per row.
	 */
	private Map<String, Long> indexRowsByType() {
		// the jobs recompute rows without changing them: counted once per data set
		if (indexRowsByType != null) {
			return indexRowsByType;
		}
		Map<String, Long> rows = new java.util.TreeMap<>();
		for (IndexTables.Table<?> table : IndexTables.SEARCH_PARAMS) {
			jdbc.query("SELECT RES_TYPE, COUNT(*) FROM " + table.sqlName() + " GROUP BY RES_TYPE",
					rs -> { rows.merge(rs.getString(1), rs.getLong(2), Long::sum); });
		}
		jdbc.query("SELECT SOURCE_RESOURCE_TYPE, COUNT(*) FROM " + IndexTables.LINK.sqlName()
						+ " GROUP BY SOURCE_RESOURCE_TYPE",
				rs -> { rows.merge(rs.getString(1), rs.getLong(2), Long::sum); });
		indexRowsByType = rows;
		return rows;
	}

	/**
	 * What a full reindex keeps reachable while it runs: an untimed full module job (after the warm-up, so the JIT
	 * and HAPI's caches are where a server in service has them) with about {@link #HELD_SAMPLES} full collections
	 * spread over it.
	 *
	 * <p>Why as many collections at every size, not one a second: the peak is the most of the samples, and the most
	 * of ten times more samples is higher for the same job (a sample that finds both workers holding a batch of
	 * their largest resources turns up sooner or later). With one a second, a 10,000-resource job got 6 samples and a
	 * 200,000 one 76, and two runs of the same 10,000 build peaked 6 MB apart.
	 */
	private void probeHeldHeap(JobRun warm) throws Exception {
		resetTargetedRows();
		long intervalMillis = Math.max(100, Math.round(warm.seconds() * 1000 / HELD_SAMPLES));
		JobRun run;
		BenchResults.Held held;
		try (HeldHeapProbe probe = new HeldHeapProbe(intervalMillis)) {
			run = module.run(new Parameters(), timeoutMillis);
			held = new BenchResults.Held(db, size, run.jobId(), run.seconds(), probe.samples(), probe.peakHeldBytes(),
					probe.medianHeldBytes(), probe.driftBytes(), Instant.now().toString());
		}
		results.held.add(held);
		System.out.printf("[bench] %s %,d held heap: a full module job (untimed, a full GC every " + intervalMillis + " ms: %d) held at most"
						+ " +%d MB, median +%d MB, last quarter minus first %+.1f MB; job %s took %.1f s%n",
				db, size, held.samples(), held.peakHeldBytes() >> 20, held.medianHeldBytes() >> 20,
				held.driftBytes() / 1048576.0, run.jobId(), run.seconds());
	}

	/**
	 * p50/p95 of the search load alone, then while full reindexes with {@code maximumConcurrency=1} run: when one
	 * ends before the window does, the next starts, so the whole window is under a reindex (a 10,000-resource job
	 * takes about 6 s, and a window of its 120 requests gave a p95 as noisy as its 6th slowest answer). The last
	 * job is then awaited, untimed; the job reported is the first, timed to within the second it was seen ended.
	 */
	private void timeLoad() throws Exception {
		LoadProbe probe = new LoadProbe(server.baseUrl(), jdbc, 7);
		// warm-up, not counted: the search paths' first calls (JIT, caches) would make "alone" look slow
		probe.run(LOAD_RATE, LOAD_WINDOW_MILLIS / 2, () -> true);
		LoadProbe.Window idle = probe.run(LOAD_RATE, LOAD_WINDOW_MILLIS, () -> true);
		Parameters throttled = new Parameters().addParameter("maximumConcurrency", new IntegerType(1));
		long t0 = System.nanoTime();
		List<String> jobs = new ArrayList<>(List.of(module.start(throttled)));
		long[] nextCheck = {0};
		// when the first job was seen ended (checked every second), or 0 while it runs
		long[] firstEnded = {0};
		LoadProbe.Window busy = probe.run(LOAD_RATE, LOAD_WINDOW_MILLIS, () -> {
			if (System.currentTimeMillis() >= nextCheck[0]) {
				nextCheck[0] = System.currentTimeMillis() + 1000;
				try {
					if (!module.running(jobs.get(jobs.size() - 1))) {
						if (jobs.size() == 1) {
							firstEnded[0] = System.nanoTime();
						}
						jobs.add(module.start(throttled));
					}
				} catch (Exception e) {
					throw new IllegalStateException(e);
				}
			}
			return true;
		});
		JobRun awaited = module.await(jobs.get(0), t0, timeoutMillis);
		// a first job that ended within the window was seen ended then, not when awaited after it
		JobRun job = firstEnded[0] == 0 ? awaited
				: new JobRun(awaited.jobId(), (firstEnded[0] - t0) / 1e9, awaited.processed(), awaited.steadyPerSecond());
		module.await(jobs.get(jobs.size() - 1), t0, timeoutMillis);
		results.loads.add(new BenchResults.Load(db, size, LOAD_RATE, idle.requests(), idle.errors(), idle.p50(), idle.p95(),
				busy.requests(), busy.errors(), busy.p50(), busy.p95(), busy.seconds(), job.jobId(), job.seconds(),
				Instant.now().toString()));
		System.out.printf("[bench] %s %,d load %.0f req/s: alone p50 %.1f ms p95 %.1f ms (%d requests, %d errors);"
						+ " during maximumConcurrency=1 full reindexes (%d, one after the other) p50 %.1f ms p95 %.1f ms"
						+ " (%d requests over %.0f s, %d errors); p95 ratio %.2f; the first job %s took %.1f s%n",
				db, size, LOAD_RATE, idle.p50(), idle.p95(), idle.requests(), idle.errors(), jobs.size(), busy.p50(),
				busy.p95(), busy.requests(), busy.seconds(), busy.errors(), busy.p95() / idle.p95(), job.jobId(),
				job.seconds());
	}

	/**
	 * The JVM's own work during a job: time its JIT compilers spent compiling, classes loaded, and the load average.
	 * Why: a server's first job is much slower than its second (issue 17: 137 s against 60 s); these say how much of
	 * that is the JIT and class loading (the same in a cold job whatever the module does) and how loaded the
	 * machine was.
	 */
	record JvmWork(long compileMillis, long classesLoaded, long gcMillis) {
		static JvmWork now() {
			var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
			long gc = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
					.mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
			return new JvmWork(jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1,
					java.lang.management.ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount(), gc);
		}

		String since(JvmWork before) {
			return String.format("JIT compiling %.1f s, %,d classes loaded, GC %.1f s, load average %.1f",
					(compileMillis - before.compileMillis) / 1000.0, classesLoaded - before.classesLoaded,
					(gcMillis - before.gcMillis) / 1000.0,
					java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		}
	}

	private Parameters targeted(String url) {
		Parameters p = new Parameters().addParameter("searchParameter", new StringType(DatasetLoader.SP_ID));
		if (url != null) {
			p.addParameter("url", new StringType(url));
		}
		return p;
	}

	/** The new parameter's rows gone again, as before it was ever indexed. */
	private void resetTargetedRows() {
		jdbc.update("DELETE FROM HFJ_SPIDX_TOKEN WHERE SP_NAME = ? AND RES_TYPE = 'Observation'", DatasetLoader.SP_CODE);
	}

	interface JobCall {
		JobRun call() throws Exception;
	}

	/** @param resources resources in the case's scope, or -1 to take the job's own count */
	private JobRun timeJob(String caseName, String engine, int repeat, long resources, JobCall call) throws Exception {
		JobRun run;
		long[] heap;
		JvmWork before = JvmWork.now();
		try (HeapSampler sampler = new HeapSampler()) {
			run = call.call();
			heap = sampler.stop();
		}
		String jvmWork = JvmWork.now().since(before);
		long n = resources >= 0 ? resources : run.processed();
		BenchResults.Run rec = new BenchResults.Run(db, size, caseName, engine, repeat, run.seconds(), n,
				run.steadyPerSecond(), heap[0], heap[1], run.jobId(), null, Instant.now().toString());
		results.runs.add(rec);
		System.out.printf("[bench] %s %,d %-13s %-6s #%d: %8.2f s %9.0f res/s  steady %s  heap +%d MB (live +%d MB)  job %s (%d processed; %s)%n",
				db, size, caseName, engine, repeat, run.seconds(), rec.perSecond(),
				run.steadyPerSecond() == null ? "-" : String.format("%.0f/s", run.steadyPerSecond()),
				heap[0] >> 20, heap[1] >> 20, run.jobId(), run.processed(), jvmWork);
		return run;
	}

	private void timeFloor(String caseName, int repeat, String type, boolean extract) throws Exception {
		long t0 = System.nanoTime();
		Floors.Work work;
		long[] heap;
		try (HeapSampler sampler = new HeapSampler()) {
			work = floors.run(type, extract);
			heap = sampler.stop();
		}
		double seconds = (System.nanoTime() - t0) / 1e9;
		results.runs.add(new BenchResults.Run(db, size, caseName, "floor", repeat, seconds, work.resources(), null, heap[0],
				heap[1], null, extract ? work.values() : null, Instant.now().toString()));
		System.out.printf("[bench] %s %,d %-13s %-6s #%d: %8.2f s %9.0f res/s  (%s%,d resources, %,d body chars%s)%n",
				db, size, caseName, "floor", repeat, seconds, work.resources() / seconds, extract ? "read+parse+extract, " : "read+parse, ",
				work.resources(), work.bytes(), extract ? String.format(", %,d index values", work.values()) : "");
	}

	private IndexSnapshot snapshot(String name) throws Exception {
		return IndexSnapshot.take(server.dataSource(), options.snapshotDir().resolve(db + "-" + size + "-" + name + ".tsv.gz"));
	}

	private boolean compare(String caseName, int repeat, IndexSnapshot h, IndexSnapshot m, JobRun hr, JobRun mr)
			throws Exception {
		boolean equal = h.digest().equals(m.digest());
		String diff = equal ? null : h.diff(m, 20);
		results.checks.add(new BenchResults.Check(db, size, caseName, repeat, h.digest(), m.digest(), h.totalRows(), equal, diff));
		if (equal) {
			System.out.printf("[bench] %s %,d %s #%d: index rows after HAPI's job %s and the module's job %s are identical"
					+ " (%,d rows, sha256 %s)%n", db, size, caseName, repeat, hr.jobId(), mr.jobId(), h.totalRows(),
					h.digest().substring(0, 16));
		} else {
			System.out.printf("[bench] MISMATCH %s %,d %s #%d: index rows after HAPI's job %s and the module's job %s differ"
					+ "%n  HAPI %s%n  module %s%n(- only after HAPI, + only after the module)%n%s", db, size, caseName, repeat,
					hr.jobId(), mr.jobId(), h.rowsPerTable(), m.rowsPerTable(), diff);
		}
		return equal;
	}

	/** HAPI's $reindex with no URL: every supported type. */
	private List<String> allTypeUrls() {
		FhirContext fhir = server.bean(FhirContext.class);
		DaoRegistry daos = server.bean(DaoRegistry.class);
		List<String> urls = new ArrayList<>();
		for (String t : fhir.getResourceTypes()) {
			if (daos.isResourceTypeSupported(t)) {
				urls.add(t + "?");
			}
		}
		return urls;
	}

	private long count(String sql) {
		return jdbc.queryForObject(sql, Long.class);
	}
}
