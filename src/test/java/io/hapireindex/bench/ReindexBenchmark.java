package io.hapireindex.bench;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.model.sched.ISchedulerService;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.jdbc.core.JdbcTemplate;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code mvn -Pbenchmark}: HAPI's REINDEX job against the module's job, on generated clinical data sets, on H2 or
 * PostgreSQL. Properties: {@code bench.db} (h2 | postgres | h2,postgres), {@code bench.sizes} (10000,50000),
 * {@code bench.repeats} (2), {@code bench.cases} (full,targeted,one,floor), {@code bench.out} (target/bench),
 * {@code bench.docs} (docs), {@code bench.seed}, {@code bench.pg.url}, {@code bench.pg.user};
 * {@code bench.report-only=true} only re-renders the docs from {@code results.json}; {@code bench.note} is shown
 * atop the report.
 *
 * <p>Writes {@code <out>/results.json} (merged with earlier results of other sizes and databases) and
 * {@code <docs>/benchmarks.md} with plots in {@code <docs>/images/}. Exits 1 when HAPI's and the module's index
 * rows differ or a job fails.
 */
public final class ReindexBenchmark {

	private ReindexBenchmark() {}

	public static void main(String[] args) throws Exception {
		List<String> dbs = list(System.getProperty("bench.db", "h2"));
		List<Integer> sizes = list(System.getProperty("bench.sizes", "10000,50000")).stream().map(Integer::parseInt).sorted().toList();
		int repeats = Integer.parseInt(System.getProperty("bench.repeats", "2"));
		Set<String> allowed = new LinkedHashSet<>(BenchmarkRunner.ALL_CASES);
		allowed.addAll(BenchmarkRunner.EXTRA_CASES);
		Set<String> cases = new LinkedHashSet<>(list(System.getProperty("bench.cases", String.join(",", allowed))));
		if (!allowed.containsAll(cases)) {
			throw new IllegalArgumentException("bench.cases: allowed " + allowed + ", got " + cases);
		}
		Path out = Path.of(System.getProperty("bench.out", "target/bench"));
		Path docs = Path.of(System.getProperty("bench.docs", "docs"));
		long seed = Long.parseLong(System.getProperty("bench.seed", "20261122"));
		String pgUrl = System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/hfr_bench");
		String pgUser = System.getProperty("bench.pg.user", "postgres");
		Files.createDirectories(out);
		// debugging aid only: HAPI's job then skips its waits for the 60 s maintenance schedule (the report says so)
		boolean driveHapi = "drive".equals(System.getProperty("bench.hapi.maintenance", "scheduled"));
		// false only while working on the module's speed: HAPI's job takes minutes and nothing is compared
		boolean runHapi = Boolean.parseBoolean(System.getProperty("bench.hapi", "true"));

		BenchResults results = new BenchResults();
		boolean reportOnly = Boolean.getBoolean("bench.report-only");
		if (reportOnly) {
			// re-render docs from the stored results (after a change to the report), measuring nothing
			dbs = List.of();
		} else {
			results.machine.putAll(machine());
		}
		String note = System.getProperty("bench.note", "").trim();
		if (!note.isEmpty()) {
			// why these numbers were taken (e.g. "validation run on a loaded machine"); shown atop the report
			results.machine.put("note", note);
		}
		// no "HAPI not run" mark: results merge with earlier runs', and the tables say which engine ran what
		results.machine.remove("hapi");
		if (driveHapi) {
			results.machine.put("hapiMaintenance", "driven by the benchmark (not representative)");
		}
		boolean ok = true;
		// synthea (default): Synthea's patients, sized by living patients; generator: ClinicalDataGenerator's data
		String data = System.getProperty("bench.data", "synthea");
		if (!data.equals("synthea") && !data.equals("generator")) {
			throw new IllegalArgumentException("bench.data must be synthea or generator, not " + data);
		}
		List<Integer> patients = list(System.getProperty("bench.patients", "20")).stream().map(Integer::parseInt).sorted().toList();
		long syntheaSeed = Long.parseLong(System.getProperty("bench.synthea.seed", "20261207"));
		for (String db : dbs) {
			if (data.equals("synthea")) {
				for (int n : patients) {
					ok &= runSynthea(db, n, syntheaSeed, repeats, cases, out, pgUrl, pgUser, driveHapi, runHapi, results);
				}
				continue;
			}
			for (int size : sizes) {
				ok &= runSize(db, size, seed, repeats, cases, out, pgUrl, pgUser, driveHapi, runHapi, results);
			}
		}

		ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
		Path file = out.resolve("results.json");
		if (Files.exists(file)) {
			results.mergeOlder(json.readValue(file.toFile(), BenchResults.class), reportOnly);
		}
		json.writeValue(file.toFile(), results);
		System.out.println("[bench] raw results: " + file.toAbsolutePath());
		Path report = new BenchmarkReport(results).write(docs);
		System.out.println("[bench] report: " + report.toAbsolutePath());
		if (!ok) {
			System.out.println("[bench] FAILED: HAPI's and the module's index rows differ (see MISMATCH above)");
		}
		System.exit(ok ? 0 : 1);
	}

	private static boolean runSize(String db, int size, long seed, int repeats, Set<String> cases, Path out,
			String pgUrl, String pgUser, boolean driveHapi, boolean runHapi, BenchResults results) throws Exception {
		BenchDatabase database = BenchDatabase.of(db, size, pgUrl, pgUser, out);
		boolean reuse = database.reuseOrWipe(size, seed, ClinicalDataGenerator.VERSION);
		System.out.printf("[bench] %s %,d: %s data set at %s%n", db, size, reuse ? "reusing the" : "loading a new", database.url());
		boolean equal;
		try (BenchServer server = BenchServer.start(database, !reuse)) {
			checkScheduler(server);
			JdbcTemplate jdbc = server.jdbc();
			Double loadSeconds;
			if (reuse) {
				double s = DatasetLoader.markerLoadSeconds(jdbc);
				loadSeconds = Double.isNaN(s) ? null : s;
			} else {
				@SuppressWarnings("unchecked")
				IFhirSystemDao<Bundle, ?> systemDao = server.bean(IFhirSystemDao.class);
				loadSeconds = new DatasetLoader(systemDao, server.bean(DaoRegistry.class))
						.load(new ClinicalDataGenerator(size, seed, ""), 2);
				DatasetLoader.writeMarker(jdbc, size, seed, ClinicalDataGenerator.VERSION, loadSeconds);
			}
			if (db.equals("postgres")) {
				// what autovacuum would have done: it is off on some machines (this project's among them). Without
				// statistics the planner guesses; without vacuuming, the dead row versions of earlier runs pile up
				// (212,024 in a 259-row BT2_WORK_CHUNK after a day of runs), and every scan of batch2's tables, the
				// search load's and the jobs' alike, wades through them
				jdbc.execute("VACUUM ANALYZE");
			}
			BenchmarkRunner.prepareSearchParameter(server);
			Double avgBody = jdbc.queryForObject("SELECT AVG(CHAR_LENGTH(v.RES_TEXT_VC)) FROM HFJ_RES_VER v"
					+ " JOIN HFJ_RESOURCE r ON r.RES_ID = v.RES_ID AND r.RES_VER = v.RES_VER", Double.class);
			results.datasets.add(new BenchResults.Dataset(db, size, seed, ClinicalDataGenerator.VERSION, mix(jdbc),
					avgBody, loadSeconds, reuse, dbVersion(jdbc, db), "generator"));
			BenchmarkRunner.Options options = new BenchmarkRunner.Options(repeats, cases, out.resolve("snapshots"), "", driveHapi,
					runHapi, true);
			equal = new BenchmarkRunner(server, options, db, size, results).run();
		}
		if (!cases.contains("ready")) {
			return equal;
		}
		timeReadiness(database, db, size, repeats, results);
		return equal;
	}

	/** What the marker records as the version of a Synthea data set: Synthea 3.3.0, loaded by loader 1. */
	static final int SYNTHEA_DATASET_VERSION = 330_001;

	/**
	 * One Synthea data set of {@code patients} living patients (and their deceased relatives Synthea adds): generated
	 * once, loaded once per database, then the same cases as the generator's data. Its size in the results is the
	 * number of resources loaded.
	 */
	private static boolean runSynthea(String db, int patients, long seed, int repeats, Set<String> cases, Path out,
			String pgUrl, String pgUser, boolean driveHapi, boolean runHapi, BenchResults results) throws Exception {
		BenchDatabase database = BenchDatabase.of(db, "bench_syn" + patients, "syn" + patients, pgUrl, pgUser, out);
		boolean reuse = database.reuseOrWipe(patients, seed, SYNTHEA_DATASET_VERSION);
		List<Path> bundles = reuse ? List.of() : new SyntheaData(out).bundles(patients, seed);
		System.out.printf("[bench] %s Synthea %d patients: %s data set at %s%n", db, patients,
				reuse ? "reusing the" : "loading a new", database.url());
		if (!reuse) {
			// loaded by a server of its own: the one measured starts cold, as a server a user restarts does
			try (BenchServer loader = BenchServer.start(database, true)) {
				@SuppressWarnings("unchecked")
				IFhirSystemDao<Bundle, ?> systemDao = loader.bean(IFhirSystemDao.class);
				double seconds = new DatasetLoader(systemDao, loader.bean(DaoRegistry.class)).loadBundles(bundles, 2);
				DatasetLoader.writeMarker(loader.jdbc(), patients, seed, SYNTHEA_DATASET_VERSION, seconds);
			}
		}
		int size;
		boolean equal;
		try (BenchServer server = BenchServer.start(database, false)) {
			checkScheduler(server);
			JdbcTemplate jdbc = server.jdbc();
			double marker = DatasetLoader.markerLoadSeconds(jdbc);
			Double loadSeconds = Double.isNaN(marker) ? null : marker;
			if (db.equals("postgres")) {
				// see runSize
				jdbc.execute("VACUUM ANALYZE");
			}
			BenchmarkRunner.prepareSearchParameter(server);
			size = jdbc.queryForObject("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS NULL", Long.class).intValue();
			Double avgBody = jdbc.queryForObject("SELECT AVG(CHAR_LENGTH(v.RES_TEXT_VC)) FROM HFJ_RES_VER v"
					+ " JOIN HFJ_RESOURCE r ON r.RES_ID = v.RES_ID AND r.RES_VER = v.RES_VER", Double.class);
			results.datasets.add(new BenchResults.Dataset(db, size, seed, SYNTHEA_DATASET_VERSION, mix(jdbc), avgBody,
					loadSeconds, reuse, dbVersion(jdbc, db), "synthea " + SyntheaData.VERSION + ", " + patients + " patients"));
			BenchmarkRunner.Options options = new BenchmarkRunner.Options(repeats, cases, out.resolve("snapshots"), "",
					driveHapi, runHapi, false);
			equal = new BenchmarkRunner(server, options, db, size, results).run();
		}
		if (cases.contains("ready")) {
			timeReadiness(database, db, size, repeats, results);
		}
		return equal;
	}

	/**
	 * The automatic mode is fixed at startup: a second server on the same data, as an operator would run it. Its first
	 * parameter is timed as {@code sp-ready-cold} (the first job after the server started, as a user's first one is);
	 * the {@code repeats} after it, each after the removal job of the one before, as {@code sp-ready}.
	 */
	private static void timeReadiness(BenchDatabase database, String db, int size, int repeats, BenchResults results)
			throws Exception {
		try (BenchServer server = BenchServer.start(database, false,
				Map.of("hapi-fhir-reindex.search-parameter-reindex", "auto"))) {
			for (int r = 0; r <= repeats; r++) {
				JobRun run = new ReadinessTimer(server).time(900_000L);
				String caseName = r == 0 ? "sp-ready-cold" : "sp-ready";
				results.runs.add(new BenchResults.Run(db, size, caseName, "module", Math.max(r, 1), run.seconds(),
						run.processed(), null, 0, 0, run.jobId(), null, java.time.Instant.now().toString()));
				System.out.printf("[bench] %s %,d SearchParameter create to $status ready (%s): %.2f s (job %s, %,d Observations)%n",
						db, size, r == 0 ? "cold" : "warm #" + r, run.seconds(), run.jobId(), run.processed());
			}
		}
	}

	/** The batch2 maintenance pass must run on its schedule, or HAPI's gated job would never finish. */
	private static void checkScheduler(BenchServer server) {
		ISchedulerService scheduler = server.bean(ISchedulerService.class);
		if (scheduler.isSchedulingDisabled() || !scheduler.isClusteredSchedulingEnabled()) {
			throw new IllegalStateException("HAPI's scheduler is disabled in the test host: batch2 maintenance would"
					+ " not run on its schedule and HAPI's gated REINDEX job would never finish");
		}
	}

	static Map<String, Long> mix(JdbcTemplate jdbc) {
		Map<String, Long> mix = new LinkedHashMap<>();
		jdbc.query("SELECT RES_TYPE, COUNT(*) FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS NULL GROUP BY RES_TYPE ORDER BY COUNT(*) DESC, RES_TYPE",
				rs -> {
					mix.put(rs.getString(1), rs.getLong(2));
				});
		return mix;
	}

	static String dbVersion(JdbcTemplate jdbc, String db) {
		return db.equals("postgres")
				? jdbc.queryForObject("SHOW server_version", String.class).split(" ")[0]
				: "H2 " + jdbc.queryForObject("SELECT H2VERSION()", String.class);
	}

	private static Map<String, String> machine() {
		Map<String, String> m = new LinkedHashMap<>();
		m.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
		m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
		m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
		m.put("maxHeapMB", String.valueOf(Runtime.getRuntime().maxMemory() >> 20));
		m.put("jvmArgs", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
		try {
			String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
					.findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
			m.put("cpu", cpu);
		} catch (Exception e) {
			m.put("cpu", "?");
		}
		return m;
	}

	private static List<String> list(String csv) {
		return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
	}
}
