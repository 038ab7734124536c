package io.hapireindex.bench;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.SearchParameter;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a generated data set through HAPI's own transaction processing (in process, no HTTP), on two threads,
 * so it is stored and indexed exactly as a client's writes would be.
 */
public final class DatasetLoader {

	/** The benchmark's custom parameter: a token on Observation created after the data (targeted case). */
	public static final String SP_ID = "bench-category-code";
	public static final String SP_CODE = "bench-category-code";
	public static final String SP_URL = "http://example.org/fhir/SearchParameter/bench-category-code";

	private final IFhirSystemDao<Bundle, ?> systemDao;
	private final DaoRegistry daoRegistry;

	public DatasetLoader(IFhirSystemDao<Bundle, ?> systemDao, DaoRegistry daoRegistry) {
		this.systemDao = systemDao;
		this.daoRegistry = daoRegistry;
	}

	/** Loads every resource of the generator; returns the seconds it took. */
	public double load(ClinicalDataGenerator generator, int threads) throws Exception {
		long t0 = System.nanoTime();
		systemDao.transaction(new SystemRequestDetails(), generator.sharedTransaction());
		List<Bundle> transactions = generator.patientTransactions(500);
		AtomicInteger done = new AtomicInteger(generator.sharedCount());
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (Bundle tx : transactions) {
				futures.add(pool.submit(() -> {
					systemDao.transaction(new SystemRequestDetails(), tx);
					int n = done.addAndGet(tx.getEntry().size());
					double s = (System.nanoTime() - t0) / 1e9;
					if (transactions.size() < 20 || n % 5000 < tx.getEntry().size()) {
						System.out.printf("[bench] loaded %,d / %,d resources (%.0f/s)%n", n, generator.size(), n / s);
					}
				}));
			}
			for (Future<?> f : futures) {
				f.get();
			}
		} finally {
			pool.shutdownNow();
		}
		double seconds = (System.nanoTime() - t0) / 1e9;
		System.out.printf("[bench] loaded %,d resources in %.1f s (%.0f resources/s, %d threads)%n",
				generator.size(), seconds, generator.size() / seconds, threads);
		return seconds;
	}

	/**
	 * Loads Synthea's bundles in the order given (see {@link SyntheaData#bundles}): the shared ones one after the
	 * other, the patients' on {@code threads} threads. Returns the seconds it took.
	 */
	public double loadBundles(List<Path> bundles, int threads) throws Exception {
		long t0 = System.nanoTime();
		AtomicInteger done = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (Path file : bundles) {
				java.util.concurrent.Callable<Void> load = () -> {
					Bundle tx;
					try (java.io.Reader in = Files.newBufferedReader(file)) {
						// a parser per bundle: HAPI's parsers are not thread safe
						tx = systemDao.getContext().newJsonParser().parseResource(Bundle.class, in);
					}
					systemDao.transaction(new SystemRequestDetails(), tx);
					int n = done.addAndGet(tx.getEntry().size());
					System.out.printf("[bench] loaded %s: %,d resources so far (%.0f/s)%n", file.getFileName(), n,
							n / ((System.nanoTime() - t0) / 1e9));
					return null;
				};
				if (SyntheaData.shared(file)) {
					// the patients' bundles refer to these with conditional references: they must exist first
					load.call();
				} else {
					futures.add(pool.submit(load));
				}
			}
			for (Future<?> f : futures) {
				f.get();
			}
		} finally {
			pool.shutdownNow();
		}
		double seconds = (System.nanoTime() - t0) / 1e9;
		System.out.printf("[bench] loaded %d Synthea bundles, %,d resources, in %.1f s (%d threads)%n",
				bundles.size(), done.get(), seconds, threads);
		return seconds;
	}

	public static void writeMarker(JdbcTemplate jdbc, int size, long seed, int version, double loadSeconds) {
		jdbc.execute("CREATE TABLE " + BenchDatabase.MARKER + " (SIZE_N INTEGER, SEED BIGINT, GEN_VERSION INTEGER,"
				+ " LOAD_SECONDS DOUBLE PRECISION, LOADED_AT VARCHAR(40))");
		jdbc.update("INSERT INTO " + BenchDatabase.MARKER + " VALUES (?, ?, ?, ?, ?)",
				size, seed, version, loadSeconds, Instant.now().toString());
	}

	/** Seconds the stored data set took to load, or NaN when no marker exists (the smoke test's shared DB). */
	public static double markerLoadSeconds(JdbcTemplate jdbc) {
		try {
			return jdbc.queryForObject("SELECT LOAD_SECONDS FROM " + BenchDatabase.MARKER, Double.class);
		} catch (RuntimeException e) {
			return Double.NaN;
		}
	}

	/** Creates (or re-asserts) the benchmark's token parameter on Observation.category. */
	@SuppressWarnings("unchecked")
	public void putSearchParameter() {
		SearchParameter sp = new SearchParameter();
		sp.setId("SearchParameter/" + SP_ID);
		sp.setUrl(SP_URL);
		sp.setName(SP_CODE);
		sp.setCode(SP_CODE);
		sp.addBase("Observation");
		sp.setType(Enumerations.SearchParamType.TOKEN);
		sp.setExpression("Observation.category");
		sp.setStatus(Enumerations.PublicationStatus.ACTIVE);
		sp.setDescription("Benchmark: the category of an Observation, as a new parameter the data predate");
		daoRegistry.getResourceDao("SearchParameter").update(sp, new SystemRequestDetails());
	}
}
