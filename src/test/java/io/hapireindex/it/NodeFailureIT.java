package io.hapireindex.it;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Promises 2 and 3 of the reliability issue, with real processes: a server killed with {@code kill -9} in the
 * middle of a job, and one node of two lost mid-job. Both on a database of their own (an H2 file shared
 * through H2's automatic server mode, or a PostgreSQL database of its own), never the suite's shared server.
 *
 * <p>Before each job the index rows of one parameter are deleted, so only a job that really reindexed every
 * resource brings them back: the index rows after the job must equal those before the damage, and the job's
 * counts must equal the number of resources exactly (a chunk that ran twice is not counted twice).
 */
class NodeFailureIT {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final int PATIENTS = 50;
	private static final int OBSERVATIONS_PER_PATIENT = 40;
	private static final int OBSERVATIONS = PATIENTS * OBSERVATIONS_PER_PATIENT;
	private static final String LEASE_SECONDS = "5";
	private static final Path LOGS = Path.of("target", "node-failure");

	/** Where a test's nodes keep their data, and how the test reads it directly. */
	private record Database(Map<String, String> nodeProperties, String url, String user) {
		Connection connect() throws SQLException {
			return DriverManager.getConnection(url, user, "");
		}
	}

	@Test
	void aJobInterruptedByKillDashNineResumesAfterRestartAndReindexesEveryResourceOnce() throws Exception {
		Database db = freshDatabase("crash");
		int total;
		String jobId;
		Map<String, List<String>> before;
		try (ServerProcess first = ServerProcess.start("crash-first", ServerProcess.freePort(), db.nodeProperties(), LOGS)) {
			total = load(first.base());
			before = indexRows(db);
			damage(db);
			JobApi jobs = jobApi(first.base());
			jobId = jobs.start(null, throttledFullReindex(1));
			awaitProgress(jobs, jobId, total / 6);
			first.kill();
			assertThat(first.isAlive()).isFalse();
		}
		try (ServerProcess second = ServerProcess.start("crash-second", ServerProcess.freePort(), db.nodeProperties(), LOGS)) {
			JobApi jobs = jobApi(second.base());
			// the dead node's chunks wait a lease (5 s) before they are handed out again
			Parameters done = jobs.await(jobId, Set.of("Completed", "Failed", "Canceled"), Duration.ofMinutes(4));
			assertEverythingReindexedOnce(done, total);
			assertThat(indexRows(db)).isEqualTo(before);
			assertNoNewVersions(db);
		}
	}

	@Test
	void whenOneOfTwoNodesDiesMidJobTheSurvivorFinishesIt() throws Exception {
		Database db = freshDatabase("lostnode");
		try (ServerProcess survivor = ServerProcess.start("survivor", ServerProcess.freePort(), db.nodeProperties(), LOGS);
				ServerProcess victim = ServerProcess.start("victim", ServerProcess.freePort(), db.nodeProperties(), LOGS)) {
			int total = load(survivor.base());
			Map<String, List<String>> before = indexRows(db);
			damage(db);
			JobApi jobs = jobApi(survivor.base());
			String jobId = jobs.start(null, throttledFullReindex(2));
			awaitBothNodesWorking(db, jobId);
			victim.kill();
			long killedAt = System.currentTimeMillis();

			Parameters done = jobs.await(jobId, Set.of("Completed", "Failed", "Canceled"), Duration.ofMinutes(3));
			assertEverythingReindexedOnce(done, total);
			assertThat(indexRows(db)).isEqualTo(before);
			assertNoNewVersions(db);
			assertThat(System.currentTimeMillis() - killedAt)
					.as("time from losing a node to the job's end")
					.isLessThan(Duration.ofMinutes(2).toMillis());
		}
	}

	// --- the job ---

	/** Small pages with a pause, so the job is still running when a node is killed. */
	private static Parameters throttledFullReindex(int concurrency) {
		Parameters p = new Parameters();
		p.addParameter("url", "Observation?");
		p.addParameter("batchSize", new IntegerType(40));
		p.addParameter("maximumConcurrency", new IntegerType(concurrency));
		p.addParameter("queryDelayIntervalInMilliseconds", new IntegerType(150));
		return p;
	}

	private static void awaitProgress(JobApi jobs, String jobId, long reindexed) {
		long deadline = System.currentTimeMillis() + Duration.ofMinutes(3).toMillis();
		while (System.currentTimeMillis() < deadline) {
			Parameters status = jobs.status(jobId);
			assertThat(JobApi.field(status, "status")).as("job still running").isIn("Queued", "Running");
			if (JobApi.number(status, "resourcesSuccessfullyReindexed") >= reindexed) {
				return;
			}
			JobApi.sleep(200);
		}
		throw new AssertionError("job " + jobId + " did not reach " + reindexed + " resources");
	}

	private static void awaitBothNodesWorking(Database db, String jobId) throws SQLException {
		long deadline = System.currentTimeMillis() + Duration.ofMinutes(2).toMillis();
		while (System.currentTimeMillis() < deadline) {
			if (count(db, "SELECT COUNT(DISTINCT NODE) FROM HFR_JOB_BATCH WHERE JOB_ID = '" + jobId + "'") >= 2) {
				return;
			}
			JobApi.sleep(200);
		}
		throw new AssertionError("job " + jobId + " was not processed on both nodes");
	}

	private static void assertEverythingReindexedOnce(Parameters done, int total) {
		assertThat(JobApi.field(done, "status")).isEqualTo("Completed");
		assertThat(JobApi.number(done, "totalResourcesToReindex")).isEqualTo(total);
		assertThat(JobApi.number(done, "resourcesSuccessfullyReindexed")).isEqualTo(total);
		assertThat(JobApi.number(done, "resourcesFailed")).isZero();
		// every resource lost its 'code' rows, so each was changed; a page the dead node committed just before
		// it died is reindexed again without changes, and counted once
		assertThat(JobApi.number(done, "resourcesChanged")).isBetween((long) total - 40, (long) total);
	}

	// --- data and database ---

	private static JobApi jobApi(String base) {
		return new JobApi(client(base), base, FHIR);
	}

	private static IGenericClient client(String base) {
		FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		FHIR.getRestfulClientFactory().setSocketTimeout(120_000);
		return FHIR.newRestfulGenericClient(base);
	}

	/** Patients with Observations that reference them, in transactions of ten patients; the Observation count. */
	private static int load(String base) {
		IGenericClient client = client(base);
		for (int p = 0; p < PATIENTS; p += 10) {
			Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
			for (int q = p; q < p + 10; q++) {
				Patient patient = new Patient();
				patient.setId("nf-p" + q);
				patient.addName().setFamily("Failover" + q).addGiven("Nora");
				patient.setGender(Enumerations.AdministrativeGender.FEMALE);
				tx.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/nf-p" + q);
				for (int o = 0; o < OBSERVATIONS_PER_PATIENT; o++) {
					Observation obs = new Observation();
					obs.setId("nf-o" + q + "-" + o);
					obs.setStatus(Observation.ObservationStatus.FINAL);
					obs.getCode().addCoding().setSystem("http://loinc.org").setCode("NF-" + (o % 13));
					obs.setSubject(new Reference("Patient/nf-p" + q));
					obs.setEffective(new DateTimeType(new Date(1_600_000_000_000L + o * 86_400_000L)));
					obs.setValue(new Quantity().setValue(50 + o).setUnit("/min").setSystem("http://unitsofmeasure.org").setCode("/min"));
					tx.addEntry().setResource(obs).getRequest().setMethod(Bundle.HTTPVerb.PUT)
							.setUrl("Observation/nf-o" + q + "-" + o);
				}
			}
			client.transaction().withBundle(tx).execute();
		}
		return OBSERVATIONS;
	}

	/** Every Observation loses its 'code' rows: only a reindex of each one brings them back. */
	private static void damage(Database db) throws SQLException {
		try (Connection c = db.connect(); Statement s = c.createStatement()) {
			int deleted = s.executeUpdate("DELETE FROM HFJ_SPIDX_TOKEN WHERE RES_TYPE = 'Observation' AND SP_NAME = 'code'");
			assertThat(deleted).isEqualTo(OBSERVATIONS);
		}
	}

	/** The Observations' index rows, without their surrogate ids and timestamps, by table. */
	private static Map<String, List<String>> indexRows(Database db) throws SQLException {
		Map<String, String> queries = Map.of(
				"token", "SELECT RES_ID, SP_NAME, HASH_SYS_AND_VALUE FROM HFJ_SPIDX_TOKEN WHERE RES_TYPE = 'Observation'",
				"date", "SELECT RES_ID, SP_NAME, SP_VALUE_LOW, SP_VALUE_HIGH FROM HFJ_SPIDX_DATE WHERE RES_TYPE = 'Observation'",
				"quantity", "SELECT RES_ID, SP_NAME, HASH_IDENTITY_SYS_UNITS, SP_VALUE FROM HFJ_SPIDX_QUANTITY WHERE RES_TYPE = 'Observation'",
				"link", "SELECT SRC_RESOURCE_ID, SRC_PATH, TARGET_RESOURCE_ID FROM HFJ_RES_LINK WHERE SOURCE_RESOURCE_TYPE = 'Observation'",
				"resource", "SELECT RES_ID, RES_VER, RES_UPDATED FROM HFJ_RESOURCE WHERE RES_TYPE = 'Observation'");
		Map<String, List<String>> rows = new HashMap<>();
		try (Connection c = db.connect(); Statement s = c.createStatement()) {
			for (Map.Entry<String, String> q : queries.entrySet()) {
				List<String> list = new ArrayList<>();
				try (ResultSet rs = s.executeQuery(q.getValue())) {
					int columns = rs.getMetaData().getColumnCount();
					while (rs.next()) {
						StringBuilder b = new StringBuilder();
						for (int i = 1; i <= columns; i++) {
							b.append(rs.getString(i)).append('|');
						}
						list.add(b.toString());
					}
				}
				list.sort(String::compareTo);
				rows.put(q.getKey(), list);
			}
		}
		assertThat(rows.get("token")).hasSizeGreaterThan(OBSERVATIONS);
		return rows;
	}

	private static void assertNoNewVersions(Database db) throws SQLException {
		assertThat(count(db, "SELECT COUNT(*) FROM HFJ_RES_VER v JOIN HFJ_RESOURCE r ON r.RES_ID = v.RES_ID"
				+ " WHERE r.RES_TYPE = 'Observation'")).isEqualTo(OBSERVATIONS);
	}

	private static long count(Database db, String sql) throws SQLException {
		try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/**
	 * An empty database for one test's nodes: an H2 file in automatic server mode (the first node serves it to
	 * the second and to this test), or a PostgreSQL database dropped and created again.
	 */
	private static Database freshDatabase(String name) throws IOException, SQLException {
		Map<String, String> props = new HashMap<>();
		props.put("hapi-fhir-reindex.node-lease-seconds", LEASE_SECONDS);
		if ("postgres".equalsIgnoreCase(System.getProperty("test.db", "h2"))) {
			// a database, not a schema: Hibernate's schema update would find HAPI's sequences in "public"
			String database = "hfr_" + name;
			String base = System.getProperty("test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
			String user = System.getProperty("test.pg.user", "postgres");
			try (Connection c = DriverManager.getConnection(base, user, ""); Statement s = c.createStatement()) {
				s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
				s.execute("CREATE DATABASE " + database);
			}
			String url = base.replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
			props.put("test.db", "postgres");
			props.put("test.pg.url", url);
			props.put("test.pg.user", user);
			return new Database(props, url, user);
		}
		Path dir = LOGS.resolve(name + "-" + System.currentTimeMillis()).toAbsolutePath();
		java.nio.file.Files.createDirectories(dir);
		String url = "jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=TRUE";
		props.put("test.db", "h2");
		props.put("test.h2.url", url);
		return new Database(props, url, "sa");
	}
}
