package io.hapireindex.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import io.hapireindex.cluster.NodeTable;
import io.hapireindex.searchparam.SearchParameterReadinessStore;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.status.JobProgressStore.BatchCounts;
import io.hapireindex.status.JobProgressStore.BatchRecord;
import io.hapireindex.status.JobProgressStore.ScopeProgress;
import io.hapireindex.throttle.ReindexThrottle;
import io.hapireindex.throttle.SlotTable;
import io.hapireindex.throttle.WorkerPriority;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The schema the migrator makes for each database, and every statement each store runs on the module's tables,
 * against it. No HAPI server: the stores are built on the DataSource alone.
 */
class ModuleSchemaStoresTest {

	private static final int RELEASE_1_TASKS = 10;

	static List<SchemaTarget> targets() {
		return SchemaTarget.all();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("targets")
	void migratesOnceAndEveryStoreStatementWorks(SchemaTarget target) {
		DataSource ds = target.freshDatabase();
		migrate(ds, target.type());
		JdbcTemplate jdbc = new JdbcTemplate(ds);
		assertThat(successfulTasks(jdbc)).as("tasks recorded in HFR_MIGRATION").isEqualTo(RELEASE_1_TASKS);
		// a second start (another node, a restart) finds nothing to do
		migrate(ds, target.type());
		assertThat(successfulTasks(jdbc)).isEqualTo(RELEASE_1_TASKS);

		jobProgress(ds);
		slots(ds);
		nodes(ds, jdbc);
		readiness(ds);
	}

	static void migrate(DataSource ds, DriverTypeEnum type) {
		ModuleSchema schema = ModuleSchema.prepare(ds, type, true, new ModuleSchemaTasks().allTasks());
		assertThat(schema.problem()).isNull();
		assertThat(schema.isReady()).isTrue();
		assertThat(schema.databaseType()).isEqualTo(type);
	}

	static int successfulTasks(JdbcTemplate jdbc) {
		return jdbc.query("SELECT * FROM \"HFR_MIGRATION\" WHERE \"installed_rank\" > 0", (rs, i) -> rs.getBoolean("success"))
				.stream()
				.filter(Boolean::booleanValue)
				.toList()
				.size();
	}

	private static void jobProgress(DataSource ds) {
		JobProgressStore progress = new JobProgressStore(ds);
		progress.registerScope("job-1", 0, "Patient", "Patient?");
		// a retried planning chunk registers again: the label changes, no second row
		progress.registerScope("job-1", 0, "Patient", "Patient?active=true");
		progress.registerScope("job-1", 1, "Observation", "Observation?");
		progress.addToTotal("job-1", 0, 5);
		progress.addToTotal("job-1", 0, 3);
		progress.setLoaded("job-1", 0, 10);
		progress.addToTotal("job-1", 0, 99);
		progress.addCounts("job-1", 0, 4, 1, 0);

		BatchRecord page = new BatchRecord(0, 5, 100, 104, 1_000, 1_100, "node-a");
		assertThat(progress.recordBatchOnce("job-1", page, new BatchCounts(4, 1, 0, 2, 3), Map.of("Patient/p1", "boom")))
				.isTrue();
		// the same page again (its chunk re-ran after a node died): refused as a whole, nothing counted twice
		assertThat(progress.recordBatchOnce("job-1", new BatchRecord(0, 5, 100, 104, 2_000, 2_100, "node-b"),
						new BatchCounts(5, 0, 0, 0, 0), Map.of("Patient/p2", "again")))
				.isFalse();

		List<ScopeProgress> scopes = progress.scopes("job-1");
		assertThat(scopes).containsExactly(
				new ScopeProgress(0, "Patient", "Patient?active=true", 10, 8, 2, 0, 2, 3, true),
				new ScopeProgress(1, "Observation", "Observation?", 0, 0, 0, 0, 0, 0, false));
		assertThat(progress.failed("job-1")).isEqualTo(2);
		assertThat(progress.allAccountedFor("job-1", 2)).isFalse();
		progress.setLoaded("job-1", 1, 0);
		assertThat(progress.allAccountedFor("job-1", 2)).isTrue();

		assertThat(progress.batches("job-1")).containsExactly(page);

		progress.addError("job-1", "Patient/p3", "x".repeat(3000));
		progress.addError("job-1", null, null);
		List<JobProgressStore.JobError> errors = progress.errors("job-1", 10);
		assertThat(errors).extracting(JobProgressStore.JobError::resource).containsExactly("Patient/p1", "Patient/p3", null);
		assertThat(errors.get(0).message()).isEqualTo("boom");
		assertThat(errors.get(1).message()).hasSize(1900);
		assertThat(errors.get(2).message()).isEqualTo("(no message)");
		assertThat(errors.get(0).time()).isNotNull();
		assertThat(progress.errors("job-1", 2)).hasSize(2);
		assertThat(progress.scopes("job-2")).isEmpty();
	}

	private static void slots(DataSource ds) {
		SlotTable slots = new SlotTable(ds);
		slots.ensureSlots("job-1", 2);
		slots.ensureSlots("job-1", 2);
		assertThat(new JdbcTemplate(ds).queryForObject("SELECT COUNT(*) FROM HFR_JOB_SLOT WHERE JOB_ID = ?", Integer.class,
						"job-1"))
				.isEqualTo(2);
		long now = System.currentTimeMillis();
		assertThat(slots.take("job-1", 0, "node-a/w1/1", now, 60_000)).isTrue();
		assertThat(slots.take("job-1", 0, "node-b/w1/2", now, 60_000)).as("held").isFalse();
		assertThat(slots.take("job-1", 1, "node-b/w1/2", now, 60_000)).isTrue();
		assertThat(slots.earliestFree("job-1", 2)).as("every slot held").isNull();
		assertThat(slots.earliestLeaseEnd("job-1", 2)).isEqualTo(new Timestamp(now + 60_000));
		// a lease that ran out is taken over
		assertThat(slots.take("job-1", 0, "node-c/w1/3", now + 120_000, 60_000)).isTrue();
		slots.release("job-1", 0, "node-a/w1/1", now + 5_000);
		assertThat(slots.earliestFree("job-1", 2)).as("not released by a former holder").isNull();
		slots.release("job-1", 0, "node-c/w1/3", now + 5_000);
		assertThat(slots.earliestFree("job-1", 2)).isEqualTo(now + 5_000);
		assertThat(slots.earliestFree("job-1", 1)).isEqualTo(now + 5_000);
		assertThat(slots.take("job-1", 0, "node-d/w1/4", now, 60_000)).as("pausing").isFalse();
		assertThat(slots.take("job-1", 0, "node-d/w1/4", now + 5_000, 60_000)).isTrue();

		ReindexThrottle throttle = new ReindexThrottle(ds, 60_000, new WorkerPriority(0));
		ReindexThrottle.Attempt first = throttle.tryAcquire("job-2", "chunk-1", 1);
		assertThat(first.permit()).isNotNull();
		ReindexThrottle.Attempt second = throttle.tryAcquire("job-2", "chunk-2", 1);
		assertThat(second.permit()).isNull();
		assertThat(second.retryAfterMillis()).isPositive();
	}

	private static void nodes(DataSource ds, JdbcTemplate jdbc) {
		NodeTable nodes = new NodeTable(ds);
		nodes.heartbeat("node-b", 1_000);
		nodes.heartbeat("node-b", 2_000);
		nodes.heartbeat("node-e", 1_500);
		assertThat(nodes.heartbeats()).containsOnly(entry("node-b", 2_000L), entry("node-e", 1_500L));
		nodes.claim("chunk-1", "node-b", 100);
		nodes.claim("chunk-1", "node-e", 200);
		nodes.claim("chunk-2", "node-b", 300);
		assertThat(jdbc.queryForList("SELECT CHUNK_ID, NODE, STARTED_MS FROM HFR_CHUNK_RUN ORDER BY CHUNK_ID"))
				.extracting(r -> r.get("CHUNK_ID") + " " + r.get("NODE") + " " + ((Number) r.get("STARTED_MS")).longValue())
				.containsExactly("chunk-1 node-e 200", "chunk-2 node-b 300");
		// node-b holds slot 1 of job-1 (see slots): a node that is gone gives its slots back
		assertThat(nodes.freeSlotsOf("node-b")).isEqualTo(1);
		assertThat(nodes.freeSlotsOf("node-b")).isZero();
		assertThat(new SlotTable(ds).earliestFree("job-1", 2)).isNotNull();
		nodes.forget("node-b");
		assertThat(nodes.heartbeats()).containsOnlyKeys("node-e");
	}

	private static void readiness(DataSource ds) {
		SearchParameterReadinessStore store = new SearchParameterReadinessStore(ds);
		String url = "http://example.org/SearchParameter/birthplace";
		store.markPending(url, "birthplace", Set.of("Patient", "Person"));
		store.markPending(url, "birth-place", Set.of("Patient"));
		assertThat(store.all()).singleElement().satisfies(row -> {
			assertThat(row.code()).isEqualTo("birth-place");
			assertThat(row.bases()).containsExactly("Patient");
			assertThat(row.status()).isEqualTo(SearchParameterReadinessStore.PENDING);
			assertThat(row.since()).isNotNull();
		});
		Timestamp before = new Timestamp(System.currentTimeMillis() - 3_600_000);
		Timestamp after = new Timestamp(System.currentTimeMillis() + 3_600_000);
		assertThat(store.markReindexing(url, "job-old", before)).as("job older than the change").isFalse();
		assertThat(store.markReindexing(url, "job-1", after)).isTrue();
		assertThat(store.all().get(0).jobId()).isEqualTo("job-1");
		assertThat(store.markEnded("job-other", SearchParameterReadinessStore.READY, null)).isZero();
		assertThat(store.markEnded("job-1", SearchParameterReadinessStore.FAILED, "e".repeat(3000))).isEqualTo(1);
		assertThat(store.all().get(0).status()).isEqualTo(SearchParameterReadinessStore.FAILED);
		assertThat(store.all().get(0).error()).hasSize(1900);
		assertThat(store.markReindexing(url, "job-2", after)).as("a failed parameter can be retried").isTrue();
		assertThat(store.markEnded("job-2", SearchParameterReadinessStore.READY, null)).isEqualTo(1);
		assertThat(store.all().get(0).status()).isEqualTo(SearchParameterReadinessStore.READY);
		assertThat(store.all().get(0).error()).isNull();
		store.markPending("http://example.org/SearchParameter/a", null, Set.of("Observation"));
		assertThat(store.all()).extracting(SearchParameterReadinessStore.Row::url)
				.containsExactly("http://example.org/SearchParameter/a", url);
		store.remove(url);
		assertThat(store.all()).extracting(SearchParameterReadinessStore.Row::url)
				.containsExactly("http://example.org/SearchParameter/a");
	}
}
