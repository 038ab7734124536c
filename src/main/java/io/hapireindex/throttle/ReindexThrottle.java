package io.hapireindex.throttle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Throttles one job's chunks across the whole cluster.
 *
 * <p>batch2 has no per-job concurrency: all jobs share one channel with a few consumer threads per node, and
 * a maintenance pass enqueues every ready chunk at once. So a chunk must hold one of the job's
 * {@code maximumConcurrency} slots, which are rows in a shared table leased with a conditional UPDATE: the
 * bound holds across nodes, and a slot held by a node that died is free again once its lease runs out.
 */
public class ReindexThrottle {

	private static final Logger LOG = LoggerFactory.getLogger(ReindexThrottle.class);
	private static final long POLL_MILLIS = 25;

	/** A held slot; closing it gives the slot back. */
	public final class Permit implements AutoCloseable {
		private final String jobId;
		private final int slot;
		private final String holder;

		private Permit(String jobId, int slot, String holder) {
			this.jobId = jobId;
			this.slot = slot;
			this.holder = holder;
		}

		@Override
		public void close() {
			jdbc.update(
					"UPDATE HFR_JOB_SLOT SET HOLDER = NULL, LEASE_UNTIL = NULL WHERE JOB_ID = ? AND SLOT = ? AND HOLDER = ?",
					jobId,
					slot,
					holder);
		}
	}

	private final JdbcTemplate jdbc;
	private final long leaseMillis;
	private final String node = ManagementFactory.getRuntimeMXBean().getName();

	public ReindexThrottle(DataSource dataSource, long leaseMillis) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.leaseMillis = leaseMillis;
		jdbc.execute("CREATE TABLE IF NOT EXISTS HFR_JOB_SLOT (JOB_ID VARCHAR(100) NOT NULL, SLOT INTEGER NOT NULL,"
				+ " HOLDER VARCHAR(300), LEASE_UNTIL TIMESTAMP, PRIMARY KEY (JOB_ID, SLOT))");
	}

	/**
	 * Waits for a free slot of the job.
	 *
	 * @param stop checked while waiting: when it turns true (the job was cancelled) no slot is taken
	 * @return the permit, or null if {@code stop} turned true first
	 */
	public Permit acquire(String jobId, int maximumConcurrency, BooleanSupplier stop) throws InterruptedException {
		ensureSlots(jobId, maximumConcurrency);
		String holder = node + "/" + Thread.currentThread().getName() + "/" + UUID.randomUUID();
		long polls = 0;
		while (true) {
			for (int slot = 0; slot < maximumConcurrency; slot++) {
				Timestamp now = new Timestamp(System.currentTimeMillis());
				int won = jdbc.update(
						"UPDATE HFR_JOB_SLOT SET HOLDER = ?, LEASE_UNTIL = ? WHERE JOB_ID = ? AND SLOT = ?"
								+ " AND (HOLDER IS NULL OR LEASE_UNTIL < ?)",
						holder,
						new Timestamp(now.getTime() + leaseMillis),
						jobId,
						slot,
						now);
				if (won == 1) {
					return new Permit(jobId, slot, holder);
				}
			}
			if (polls++ % 8 == 0 && stop.getAsBoolean()) {
				return null;
			}
			Thread.sleep(POLL_MILLIS);
		}
	}

	private void ensureSlots(String jobId, int count) {
		Integer existing = jdbc.queryForObject("SELECT COUNT(*) FROM HFR_JOB_SLOT WHERE JOB_ID = ?", Integer.class, jobId);
		for (int slot = existing == null ? 0 : existing; slot < count; slot++) {
			try {
				jdbc.update("INSERT INTO HFR_JOB_SLOT (JOB_ID, SLOT) VALUES (?, ?)", jobId, slot);
			} catch (DataIntegrityViolationException raced) {
				LOG.debug("Slot {} of job {} created by another worker", slot, jobId);
			}
		}
	}

	/** Removes a finished job's slots. */
	public void forget(String jobId) {
		jdbc.update("DELETE FROM HFR_JOB_SLOT WHERE JOB_ID = ?", jobId);
	}

	/**
	 * Keeps a job's share of database time near {@code percent}: after a batch that took {@code busyMillis},
	 * the slot stays idle for {@code busyMillis * (100 - percent) / percent}.
	 */
	public static long dutyCyclePause(long busyMillis, int percent) {
		return percent >= 100 ? 0 : busyMillis * (100 - percent) / percent;
	}
}
