package io.hapireindex.throttle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import javax.sql.DataSource;

/**
 * The statements on {@code HFR_JOB_SLOT}, the leased concurrency slots of {@link ReindexThrottle}, in one place so
 * the schema tests can run each on every database the module supports.
 */
public class SlotTable {

	private static final Logger LOG = LoggerFactory.getLogger(SlotTable.class);

	private final JdbcTemplate jdbc;

	public SlotTable(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
	}

	/** Makes sure the job has at least {@code count} slots (0..count-1); a slot another worker adds meanwhile is fine. */
	public void ensureSlots(String jobId, int count) {
		Integer existing = jdbc.queryForObject("SELECT COUNT(*) FROM HFR_JOB_SLOT WHERE JOB_ID = ?", Integer.class, jobId);
		for (int slot = existing == null ? 0 : existing; slot < count; slot++) {
			try {
				jdbc.update("INSERT INTO HFR_JOB_SLOT (JOB_ID, SLOT, NOT_BEFORE_MS) VALUES (?, ?, 0)", jobId, slot);
			} catch (DataIntegrityViolationException raced) {
				LOG.debug("Slot {} of job {} created by another worker", slot, jobId);
			}
		}
	}

	/** Takes the slot when it is free (or its lease ran out) and not pausing; true when this caller got it. */
	public boolean take(String jobId, int slot, String holder, long now, long leaseMillis) {
		return jdbc.update(
						"UPDATE HFR_JOB_SLOT SET HOLDER = ?, LEASE_UNTIL = ? WHERE JOB_ID = ? AND SLOT = ?"
								+ " AND (HOLDER IS NULL OR LEASE_UNTIL < ?) AND NOT_BEFORE_MS <= ?",
						holder,
						new Timestamp(now + leaseMillis),
						jobId,
						slot,
						new Timestamp(now),
						now)
				== 1;
	}

	/** Gives the slot back if the holder still has it; it is usable again from {@code usableAt} (epoch ms). */
	public void release(String jobId, int slot, String holder, long usableAt) {
		jdbc.update(
				"UPDATE HFR_JOB_SLOT SET HOLDER = NULL, LEASE_UNTIL = NULL, NOT_BEFORE_MS = ?"
						+ " WHERE JOB_ID = ? AND SLOT = ? AND HOLDER = ?",
				usableAt,
				jobId,
				slot,
				holder);
	}

	/** When the first free slot below {@code slots} stops pausing (epoch ms), or null when every one is held. */
	public Long earliestFree(String jobId, int slots) {
		return jdbc.queryForObject(
				"SELECT MIN(NOT_BEFORE_MS) FROM HFR_JOB_SLOT WHERE JOB_ID = ? AND SLOT < ? AND HOLDER IS NULL",
				Long.class,
				jobId,
				slots);
	}

	/** The earliest lease end among held slots below {@code slots}, or null when none is held. */
	public Timestamp earliestLeaseEnd(String jobId, int slots) {
		return jdbc.queryForObject(
				"SELECT MIN(LEASE_UNTIL) FROM HFR_JOB_SLOT WHERE JOB_ID = ? AND SLOT < ? AND HOLDER IS NOT NULL",
				Timestamp.class,
				jobId,
				slots);
	}
}
