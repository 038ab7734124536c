package io.hapireindex.hapi;

import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.batch2.model.WorkChunkStatusEnum;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The module's reads and writes of batch2's tables ({@code BT2_JOB_INSTANCE}, {@code BT2_WORK_CHUNK}), which no
 * batch2 API offers: a cheap cancel check, calling a parked chunk back early, and handing a dead node's chunks out
 * again. State names are batch2's enums, so a renamed state fails to compile rather than silently matching nothing.
 *
 * <p>HAPI 8.10 adds chunk heartbeats (#7670), 8.12 splits the maintenance pass (#8062): see docs/hapi-versions.md
 * for what each means for the stalled-chunk queries here.
 */
public final class Batch2Tables {

	/** The property of batch2's job instance entity that sorts a {@code JobInstanceFetchRequest} by creation. */
	public static final String INSTANCE_CREATE_TIME_PROPERTY = "myCreateTime";

	private static final String OPEN_JOB = "i.STAT IN ('" + StatusEnum.QUEUED + "', '" + StatusEnum.IN_PROGRESS + "')";
	private static final String OPEN_OR_ERRORED_JOB = "i.STAT IN ('" + StatusEnum.QUEUED + "', '"
			+ StatusEnum.IN_PROGRESS + "', '" + StatusEnum.ERRORED + "')";
	private static final String POLL_WAITING = "'" + WorkChunkStatusEnum.POLL_WAITING + "'";

	/**
	 * A chunk of an open job that may be stalled, with the module's record of which node ran it.
	 *
	 * @param claimNode      the node that last claimed the chunk ({@code HFR_CHUNK_RUN}), null if none
	 * @param claimStartedMs when that claim was made, null if none
	 */
	public record OpenChunk(
			String id,
			String instanceId,
			String status,
			Timestamp startTime,
			Timestamp createTime,
			String claimNode,
			Long claimStartedMs) {}

	private final JdbcTemplate jdbc;

	public Batch2Tables(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
	}

	/** Whether a cancel was asked for the job (batch2's flag) or it is cancelled already. */
	public boolean cancelRequested(String jobId) {
		List<Boolean> cancelled = jdbc.query(
				"SELECT JOB_CANCELLED, STAT FROM BT2_JOB_INSTANCE WHERE ID = ?",
				(rs, row) -> rs.getBoolean(1) || StatusEnum.CANCELLED.name().equals(rs.getString(2)),
				jobId);
		return !cancelled.isEmpty() && cancelled.get(0);
	}

	/**
	 * Calls the job's longest-parked ({@code POLL_WAITING}) chunk back: its next poll time becomes {@code dueAt}
	 * unless it was due earlier anyway.
	 *
	 * @return whether the job had a parked chunk
	 */
	public boolean callParkedChunkBack(String jobId, Timestamp dueAt) {
		// setMaxRows, not FETCH FIRST or LIMIT: one form every database HAPI supports takes
		List<String> next = jdbc.query(
				con -> {
					var ps = con.prepareStatement("SELECT ID FROM BT2_WORK_CHUNK WHERE INSTANCE_ID = ? AND STAT = "
							+ POLL_WAITING + " ORDER BY NEXT_POLL_TIME, ID");
					ps.setString(1, jobId);
					ps.setMaxRows(1);
					return ps;
				},
				(rs, row) -> rs.getString(1));
		if (next.isEmpty()) {
			return false;
		}
		jdbc.update(
				"UPDATE BT2_WORK_CHUNK SET NEXT_POLL_TIME = ? WHERE ID = ? AND STAT = " + POLL_WAITING
						+ " AND NEXT_POLL_TIME > ?",
				dueAt,
				next.get(0),
				dueAt);
		return true;
	}

	/**
	 * How many chunks of the definition's open jobs a maintenance pass could hand out now: READY ones created
	 * before {@code readyCreatedBefore}, and parked ones due by {@code pollDueBy}.
	 */
	public int countWaitingChunks(String definitionId, Timestamp readyCreatedBefore, Timestamp pollDueBy) {
		Integer waiting = jdbc.queryForObject(
				"SELECT COUNT(*) FROM BT2_WORK_CHUNK c JOIN BT2_JOB_INSTANCE i ON i.ID = c.INSTANCE_ID"
						+ " WHERE c.DEFINITION_ID = ? AND " + OPEN_JOB
						+ " AND ((c.STAT = '" + WorkChunkStatusEnum.READY + "' AND c.CREATE_TIME < ?)"
						+ " OR (c.STAT = " + POLL_WAITING + " AND c.NEXT_POLL_TIME <= ?))",
				Integer.class,
				definitionId,
				readyCreatedBefore,
				pollDueBy);
		return waiting == null ? 0 : waiting;
	}

	/**
	 * The QUEUED, IN_PROGRESS and ERRORED chunks of the definition's queued, running or errored jobs, each with the
	 * module's claim of it from {@code chunkRunTable} (columns CHUNK_ID, NODE, STARTED_MS).
	 */
	public List<OpenChunk> stallableChunks(String definitionId, String chunkRunTable) {
		List<OpenChunk> chunks = new ArrayList<>();
		jdbc.query(
				"SELECT c.ID, c.INSTANCE_ID, c.STAT, c.START_TIME, c.CREATE_TIME, r.NODE, r.STARTED_MS"
						+ " FROM BT2_WORK_CHUNK c JOIN BT2_JOB_INSTANCE i ON i.ID = c.INSTANCE_ID"
						+ " LEFT JOIN " + chunkRunTable + " r ON r.CHUNK_ID = c.ID"
						+ " WHERE c.DEFINITION_ID = ? AND " + OPEN_OR_ERRORED_JOB
						+ " AND c.STAT IN ('" + WorkChunkStatusEnum.QUEUED + "', '" + WorkChunkStatusEnum.IN_PROGRESS
						+ "', '" + WorkChunkStatusEnum.ERRORED + "')",
				rs -> {
					long started = rs.getLong(7);
					Long claimStartedMs = rs.wasNull() ? null : started;
					chunks.add(new OpenChunk(
							rs.getString(1),
							rs.getString(2),
							rs.getString(3),
							rs.getTimestamp(4),
							rs.getTimestamp(5),
							rs.getString(6),
							claimStartedMs));
				},
				definitionId);
		return chunks;
	}

	/**
	 * Per queued, running or errored job of the definition: when a chunk last started (the module's claims in
	 * {@code chunkRunTable}) or ended (batch2's end time), in epoch millis.
	 */
	public Map<String, Long> lastChunkActivityByJob(String definitionId, String chunkRunTable) {
		Map<String, Long> last = new HashMap<>();
		jdbc.query("SELECT c.INSTANCE_ID, MAX(r.STARTED_MS), MAX(c.END_TIME)"
						+ " FROM BT2_WORK_CHUNK c JOIN BT2_JOB_INSTANCE i ON i.ID = c.INSTANCE_ID"
						+ " LEFT JOIN " + chunkRunTable + " r ON r.CHUNK_ID = c.ID"
						+ " WHERE c.DEFINITION_ID = ? AND " + OPEN_OR_ERRORED_JOB
						+ " GROUP BY c.INSTANCE_ID",
				rs -> {
					Timestamp ended = rs.getTimestamp(3);
					last.put(rs.getString(1), Math.max(rs.getLong(2), ended == null ? 0 : ended.getTime()));
				},
				definitionId);
		return last;
	}

	/**
	 * Sets a chunk back to READY, so the next maintenance pass hands it out again, if it is still in
	 * {@code fromStatus}: batch2 has no API for it. Safe for the module's chunks only, whose work is idempotent.
	 *
	 * @return whether the chunk was set back
	 */
	public boolean setChunkReady(String chunkId, String fromStatus) {
		return jdbc.update("UPDATE BT2_WORK_CHUNK SET STAT = '" + WorkChunkStatusEnum.READY + "' WHERE ID = ? AND STAT = ?",
				chunkId, fromStatus) == 1;
	}
}
