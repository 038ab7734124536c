package io.hapireindex.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The watchdog's statements on the module's own tables: node heartbeats ({@code HFR_NODE}), which node runs which
 * chunk ({@code HFR_CHUNK_RUN}) and freeing the throttle slots ({@code HFR_JOB_SLOT}) of a node that is gone. In one
 * place so the schema tests can run each on every database the module supports.
 */
public class NodeTable {

	private static final Logger LOG = LoggerFactory.getLogger(NodeTable.class);

	private final JdbcTemplate jdbc;

	public NodeTable(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
	}

	/** Records that the node is alive at {@code now} (epoch ms). */
	public void heartbeat(String node, long now) {
		if (jdbc.update("UPDATE HFR_NODE SET HEARTBEAT_MS = ? WHERE NODE = ?", now, node) == 0) {
			try {
				jdbc.update("INSERT INTO HFR_NODE (NODE, HEARTBEAT_MS) VALUES (?, ?)", node, now);
			} catch (DataIntegrityViolationException raced) {
				LOG.debug("Heartbeat row of {} created concurrently", node);
			}
		}
	}

	/** The last heartbeat of every node known. */
	public Map<String, Long> heartbeats() {
		Map<String, Long> heartbeats = new HashMap<>();
		jdbc.query("SELECT NODE, HEARTBEAT_MS FROM HFR_NODE", rs -> {
			heartbeats.put(rs.getString(1), rs.getLong(2));
		});
		return heartbeats;
	}

	/** Records that the node runs the chunk from {@code now}; a chunk re-run elsewhere changes owner. */
	public void claim(String chunkId, String node, long now) {
		int updated = jdbc.update("UPDATE HFR_CHUNK_RUN SET NODE = ?, STARTED_MS = ? WHERE CHUNK_ID = ?", node, now, chunkId);
		if (updated == 0) {
			try {
				jdbc.update("INSERT INTO HFR_CHUNK_RUN (CHUNK_ID, NODE, STARTED_MS) VALUES (?, ?, ?)", chunkId, node, now);
			} catch (DataIntegrityViolationException raced) {
				jdbc.update("UPDATE HFR_CHUNK_RUN SET NODE = ?, STARTED_MS = ? WHERE CHUNK_ID = ?", node, now, chunkId);
			}
		}
	}

	/** Frees every throttle slot the node holds (holders are {@code node/thread/uuid}); returns how many. */
	public int freeSlotsOf(String node) {
		return jdbc.update("UPDATE HFR_JOB_SLOT SET HOLDER = NULL, LEASE_UNTIL = NULL WHERE HOLDER LIKE ?", node + "/%");
	}

	/** Drops a node gone for long from the heartbeat table. */
	public void forget(String node) {
		jdbc.update("DELETE FROM HFR_NODE WHERE NODE = ?", node);
	}
}
