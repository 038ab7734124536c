package io.hapireindex.status;

import io.hapireindex.hapi.Batch2Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Per-scope counters and per-resource errors of reindex jobs, in the module's own tables (made by
 * {@code io.hapireindex.schema}). Statements name every column they insert and bind booleans as parameters, so
 * they run unchanged on each database the schema is made for.
 *
 * <p>Why not batch2's instance {@code userData}: chunks on several threads and nodes finish at once, and a
 * JSON blob would need read-modify-write under a lock. Here every chunk adds to its row with one atomic
 * {@code UPDATE ... SET n = n + ?}, so counts are right while the job runs, on every node.
 */
public class JobProgressStore {

	private static final Logger LOG = LoggerFactory.getLogger(JobProgressStore.class);
	private static final int MAX_MESSAGE = 1900;

	/** Counters of one scope (one URL or type, in one partition selection). */
	public record ScopeProgress(
			int scopeIndex,
			String resourceType,
			String label,
			long total,
			long reindexed,
			long failed,
			long skipped,
			long retries,
			long changed,
			boolean loaded) {

		/** Every resource of the scope loaded and reindexed, failed or skipped: nothing left to do. */
		public boolean finished() {
			return loaded && reindexed + failed + skipped >= total;
		}
	}

	/** One processed batch: when its work ran (epoch ms, after throttling waits) and how many resources it held. */
	public record BatchRecord(
			int scopeIndex, int resources, long firstPid, long lastPid, long startedMillis, long endedMillis, String node) {}

	/** One failed resource, or a job-level problem when {@code resource} is null. */
	/** @param resource the resource ({@code Type/id}) or, for a scope that failed as a whole, its search URL */
	public record JobError(String resource, String message, Timestamp time) {
		/** Whether the error is about one resource, which a restart or retry can name. */
		public boolean namesResource() {
			return resource != null && resource.indexOf('/') > 0 && resource.indexOf('?') < 0;
		}
	}

	private final JdbcTemplate jdbc;
	private final Batch2Tables batch2Tables;
	private final TransactionTemplate transactions;

	public JobProgressStore(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.batch2Tables = new Batch2Tables(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
	}

	/** Creates the scope rows of a new job; re-running it (a retried planning chunk) is harmless. */
	public void registerScope(String jobId, int scopeIndex, String resourceType, String label) {
		int updated = jdbc.update(
				"UPDATE HFR_JOB_SCOPE SET LABEL = ? WHERE JOB_ID = ? AND SCOPE_IDX = ?", label, jobId, scopeIndex);
		if (updated == 0) {
			jdbc.update(
					"INSERT INTO HFR_JOB_SCOPE (JOB_ID, SCOPE_IDX, RES_TYPE, LABEL, TOTAL, REINDEXED, FAILED, SKIPPED, LOADED,"
							+ " RETRIES, CHANGED) VALUES (?, ?, ?, ?, 0, 0, 0, 0, ?, 0, 0)",
					jobId,
					scopeIndex,
					resourceType,
					label,
					false);
		}
	}

	/** Called once a scope's ids are all loaded: its total is final from then on. */
	public void setLoaded(String jobId, int scopeIndex, long total) {
		jdbc.update(
				"UPDATE HFR_JOB_SCOPE SET TOTAL = ?, LOADED = ? WHERE JOB_ID = ? AND SCOPE_IDX = ?",
				total,
				true,
				jobId,
				scopeIndex);
	}

	/** Grows a scope's total while its ids are still being loaded, so progress is visible early. */
	public void addToTotal(String jobId, int scopeIndex, long count) {
		jdbc.update(
				"UPDATE HFR_JOB_SCOPE SET TOTAL = TOTAL + ? WHERE JOB_ID = ? AND SCOPE_IDX = ? AND LOADED = ?",
				count,
				jobId,
				scopeIndex,
				false);
	}

	public void addCounts(String jobId, int scopeIndex, long reindexed, long failed, long skipped) {
		addCounts(jobId, scopeIndex, reindexed, failed, skipped, 0, 0);
	}

	public void addCounts(
			String jobId, int scopeIndex, long reindexed, long failed, long skipped, long retries, long changed) {
		jdbc.update(
				"UPDATE HFR_JOB_SCOPE SET REINDEXED = REINDEXED + ?, FAILED = FAILED + ?, SKIPPED = SKIPPED + ?,"
						+ " RETRIES = RETRIES + ?, CHANGED = CHANGED + ? WHERE JOB_ID = ? AND SCOPE_IDX = ?",
				reindexed,
				failed,
				skipped,
				retries,
				changed,
				jobId,
				scopeIndex);
	}

	public void addError(String jobId, String resourceId, String message) {
		String text = message == null ? "(no message)" : message;
		jdbc.update(
				"INSERT INTO HFR_JOB_ERROR (JOB_ID, RESOURCE_ID, MESSAGE, CREATED) VALUES (?, ?, ?, ?)",
				jobId,
				resourceId,
				text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) : text,
				new Timestamp(System.currentTimeMillis()));
	}

	/**
	 * Whether a cancel was asked for. Read straight from batch2's table because steps ask twice per chunk, and
	 * {@code IJobCoordinator.getInstance} costs a few percent of a whole reindex (it maps the full instance).
	 */
	public boolean cancelRequested(String jobId) {
		return batch2Tables.cancelRequested(jobId);
	}

	/** True when every scope is loaded and each of its resources is reindexed, failed or skipped. */
	public boolean allAccountedFor(String jobId, int expectedScopes) {
		List<ScopeProgress> scopes = scopes(jobId);
		return scopes.size() >= expectedScopes
				&& scopes.stream().allMatch(ScopeProgress::finished);
	}

	/** What one batch did, as added to its scope's counters. */
	public record BatchCounts(long reindexed, long failed, long skipped, long retries, long changed) {}

	/**
	 * Records a processed batch, adds its counts and keeps its failures, all in one transaction. A batch whose
	 * page (job, scope, first pid) was recorded before changes nothing and answers false: its chunk ran again
	 * after a node died between the work and batch2's bookkeeping, and the resources were counted already.
	 */
	public boolean recordBatchOnce(String jobId, BatchRecord batch, BatchCounts counts, Map<String, String> failures) {
		try {
			return Boolean.TRUE.equals(transactions.execute(status -> {
				recordBatch(jobId, batch);
				addCounts(jobId, batch.scopeIndex(), counts.reindexed(), counts.failed(), counts.skipped(),
						counts.retries(), counts.changed());
				failures.forEach((id, message) -> addError(jobId, id, message));
				return true;
			}));
		} catch (DuplicateKeyException alreadyCounted) {
			LOG.info("Reindex job {}: page from pid {} of scope {} was counted before; not counted again",
					jobId, batch.firstPid(), batch.scopeIndex());
			return false;
		}
	}

	/** Kept per batch so throughput over time, concurrency and pacing can be shown and checked afterwards. */
	public void recordBatch(String jobId, BatchRecord batch) {
		jdbc.update(
				"INSERT INTO HFR_JOB_BATCH (JOB_ID, SCOPE_IDX, RESOURCES, FIRST_PID, LAST_PID, STARTED_MS, ENDED_MS, NODE)"
						+ " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				jobId,
				batch.scopeIndex(),
				batch.resources(),
				batch.firstPid(),
				batch.lastPid(),
				batch.startedMillis(),
				batch.endedMillis(),
				batch.node());
	}

	public List<BatchRecord> batches(String jobId) {
		return jdbc.query(
				"SELECT SCOPE_IDX, RESOURCES, FIRST_PID, LAST_PID, STARTED_MS, ENDED_MS, NODE FROM HFR_JOB_BATCH"
						+ " WHERE JOB_ID = ? ORDER BY STARTED_MS",
				(rs, i) -> new BatchRecord(
						rs.getInt(1), rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getString(7)),
				jobId);
	}

	/** Resources of the job that failed, over all its scopes. */
	public long failed(String jobId) {
		return scopes(jobId).stream().mapToLong(ScopeProgress::failed).sum();
	}

	public List<ScopeProgress> scopes(String jobId) {
		return jdbc.query(
				"SELECT SCOPE_IDX, RES_TYPE, LABEL, TOTAL, REINDEXED, FAILED, SKIPPED, RETRIES, CHANGED, LOADED FROM HFR_JOB_SCOPE"
						+ " WHERE JOB_ID = ? ORDER BY SCOPE_IDX",
				(rs, i) -> new ScopeProgress(
						rs.getInt(1),
						rs.getString(2),
						rs.getString(3),
						rs.getLong(4),
						rs.getLong(5),
						rs.getLong(6),
						rs.getLong(7),
						rs.getLong(8),
						rs.getLong(9),
						rs.getBoolean(10)),
				jobId);
	}

	public List<JobError> errors(String jobId, int max) {
		return jdbc.query(
				"SELECT RESOURCE_ID, MESSAGE, CREATED FROM HFR_JOB_ERROR WHERE JOB_ID = ? ORDER BY ID",
				ps -> {
					ps.setString(1, jobId);
					ps.setMaxRows(max);
				},
				(rs, i) -> new JobError(rs.getString(1), rs.getString(2), rs.getTimestamp(3)));
	}
}
