package io.hapireindex.cluster;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import io.hapireindex.hapi.Batch2Tables;
import io.hapireindex.startup.ScheduledModuleService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Gives the chunks of a node that died back to the cluster.
 *
 * <p>batch2 never does: a chunk a node was processing when it was killed stays IN_PROGRESS, and chunks already
 * handed to its in-memory queue stay QUEUED, so the job never ends (HAPI's own reindex jobs stay "in progress"
 * forever after a crash). Each node here writes a heartbeat and records the chunks it starts. A chunk of the
 * module's job whose owner has not beaten for a lease, or that sat QUEUED for a lease while its job made no
 * progress, is set back to READY, the
 * throttle slots the dead node held are freed, and a maintenance pass hands the chunks out again. Running a
 * chunk twice is safe: reindexing is idempotent and {@code JobProgressStore} counts a page once.
 */
public class StalledChunkWatchdog extends ScheduledModuleService {

	private static final Logger LOG = LoggerFactory.getLogger(StalledChunkWatchdog.class);
	private static final Set<String> STALLABLE = Set.of("QUEUED", "IN_PROGRESS", "ERRORED");
	private static final long PULL_MILLIS = 500;
	/** The module's record of which node started each chunk. */
	private static final String CHUNK_RUN_TABLE = "HFR_CHUNK_RUN";
	/** How long a new READY chunk is left to the sink that created it, which queues it itself. */
	private static final long FRESH_CHUNK_MILLIS = 2_000;

	private final JdbcTemplate jdbc;
	private final Batch2Tables batch2Tables;
	private final NodeTable nodes;
	private final IJobMaintenanceService maintenance;
	private final String definitionId;
	private final long leaseMillis;
	/** When this node first saw each chunk QUEUED: batch2 does not stamp the hand-out time on a chunk. */
	private final Map<String, Long> queuedSince = new ConcurrentHashMap<>();

	public StalledChunkWatchdog(
			DataSource dataSource, IJobMaintenanceService maintenance, String definitionId, long leaseMillis) {
		// not running until started: a module that backs off beats no heart and hands out no chunk
		super("hapi-fhir-reindex-watchdog");
		this.jdbc = new JdbcTemplate(dataSource);
		this.batch2Tables = new Batch2Tables(dataSource);
		this.nodes = new NodeTable(dataSource);
		this.maintenance = maintenance;
		this.definitionId = definitionId;
		this.leaseMillis = leaseMillis;
	}

	@Override
	protected void onStart(ScheduledExecutorService executor) {
		heartbeat();
		long period = Math.max(1000, leaseMillis / 3);
		executor.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
		executor.scheduleWithFixedDelay(this::pullWork, PULL_MILLIS, PULL_MILLIS, TimeUnit.MILLISECONDS);
	}

	/** Records that this node runs the chunk now; a chunk re-run elsewhere changes owner. */
	public void claim(String chunkId) {
		nodes.claim(chunkId, ClusterNode.ID, System.currentTimeMillis());
	}

	private void tick() {
		try {
			heartbeat();
			if (requeueStalledChunks() > 0) {
				maintenance.runMaintenancePass();
			}
		} catch (RuntimeException e) {
			// the database may be briefly unreachable; the next tick tries again
			LOG.warn("Stalled-chunk check failed: {}", e.toString());
		}
	}

	private void heartbeat() {
		nodes.heartbeat(ClusterNode.ID, System.currentTimeMillis());
	}

	/**
	 * batch2 queues are in memory: a node only gets the chunks its own maintenance passes hand out, HAPI
	 * schedules one a minute, and the node that started a job runs one whenever a throttle slot of the job
	 * frees up. Without passes of their own, the other nodes of a cluster would hardly ever get a chunk.
	 */
	private void pullWork() {
		try {
			if (hasWaitingChunks()) {
				maintenance.runMaintenancePass();
			}
		} catch (RuntimeException e) {
			LOG.debug("Looking for waiting chunks failed: {}", e.toString());
		}
	}

	private boolean hasWaitingChunks() {
		long now = System.currentTimeMillis();
		// Not a chunk created READY in the last seconds: its step's sink queues it itself at once, and a pass that
		// races the sink for it makes one of them log an ERROR ("failed to transition work chunk ... from READY to
		// QUEUED"), a few per job with every job's load step. Nor one parked until later: a pass cannot take it yet.
		return batch2Tables.countWaitingChunks(
				definitionId, new Timestamp(now - FRESH_CHUNK_MILLIS), new Timestamp(now)) > 0;
	}

	/** @return how many chunks were set back to READY */
	int requeueStalledChunks() {
		long now = System.currentTimeMillis();
		Map<String, Long> heartbeats = nodes.heartbeats();
		List<Map<String, Object>> candidates = new ArrayList<>();
		for (Batch2Tables.OpenChunk chunk : batch2Tables.stallableChunks(definitionId, CHUNK_RUN_TABLE)) {
			Map<String, Object> c = new HashMap<>();
			c.put("ID", chunk.id());
			c.put("INSTANCE_ID", chunk.instanceId());
			c.put("STAT", chunk.status());
			c.put("START_TIME", chunk.startTime());
			c.put("CREATE_TIME", chunk.createTime());
			c.put("NODE", chunk.claimNode());
			c.put("STARTED_MS", chunk.claimStartedMs());
			candidates.add(c);
		}
		Map<String, Long> lastActivity = lastActivityByJob();
		for (Map<String, Object> c : candidates) {
			String owner = currentOwner(c);
			c.put("OWNER", owner);
			// a chunk running on a live node is progress right now
			if ("IN_PROGRESS".equals(c.get("STAT")) && owner != null && alive(owner, heartbeats, now)) {
				lastActivity.put((String) c.get("INSTANCE_ID"), now);
			}
		}
		int requeued = 0;
		Set<String> queued = new HashSet<>();
		for (Map<String, Object> c : candidates) {
			String id = (String) c.get("ID");
			String status = (String) c.get("STAT");
			String owner = (String) c.get("OWNER");
			boolean stalled;
			if ("QUEUED".equals(status)) {
				// Handed to some node's in-memory queue. A busy job's chunks wait there for minutes, so waiting
				// alone says nothing; a chunk is taken for lost when it waited a lease while its job made no
				// progress for a lease either (the node holding it is likely gone). If that node is alive after
				// all, it skips its copy: batch2 starts only a chunk that is still QUEUED.
				queued.add(id);
				long since = queuedSince.computeIfAbsent(id, k -> now);
				long active = lastActivity.getOrDefault((String) c.get("INSTANCE_ID"), 0L);
				stalled = now - since > leaseMillis && now - active > leaseMillis;
				owner = null;
			} else if (owner != null) {
				stalled = !ClusterNode.ID.equals(owner) && !alive(owner, heartbeats, now);
			} else {
				stalled = olderThanLease(c.get("START_TIME"), c.get("CREATE_TIME"), now);
			}
			if (stalled && STALLABLE.contains(status)
					&& batch2Tables.setChunkReady(id, status)) {
				LOG.warn("Reindex job {}: chunk {} was {} {}; handed out again",
						c.get("INSTANCE_ID"), id, status,
						owner == null ? "for longer than the node lease" : "on " + owner + ", which is gone");
				queuedSince.remove(id);
				requeued++;
			}
		}
		queuedSince.keySet().retainAll(queued);
		releaseSlotsOfDeadNodes(heartbeats, now);
		return requeued;
	}

	private boolean alive(String node, Map<String, Long> heartbeats, long now) {
		return now - heartbeats.getOrDefault(node, 0L) <= leaseMillis;
	}

	/**
	 * The node running the chunk now, or null when unknown. batch2 marks a chunk IN_PROGRESS (and stamps its
	 * start) when a node takes it from its queue, and the step records its claim a moment later; a claim older
	 * than that start belongs to an earlier attempt (the chunk was handed out again, and the node holding it now
	 * may have died before claiming it), so it names no one. Both times come from the clock of the node that
	 * took the chunk. A claim misread as old costs at most a second run of the chunk, which is harmless.
	 */
	private static String currentOwner(Map<String, Object> chunk) {
		String node = (String) chunk.get("NODE");
		Object claimed = chunk.get("STARTED_MS");
		if (node == null || claimed == null) {
			return null;
		}
		Object start = chunk.get("START_TIME");
		if (start instanceof Timestamp ts && ((Number) claimed).longValue() < ts.getTime()) {
			return null;
		}
		return node;
	}

	/** Per open job of the module: when a chunk last started (on any node) or ended. */
	private Map<String, Long> lastActivityByJob() {
		return batch2Tables.lastChunkActivityByJob(definitionId, CHUNK_RUN_TABLE);
	}

	private boolean olderThanLease(Object time, Object fallback, long now) {
		Object t = time != null ? time : fallback;
		return t instanceof Timestamp ts && now - ts.getTime() > leaseMillis;
	}

	private void releaseSlotsOfDeadNodes(Map<String, Long> heartbeats, long now) {
		heartbeats.forEach((node, beat) -> {
			if (!node.equals(ClusterNode.ID) && now - beat > leaseMillis) {
				int freed = nodes.freeSlotsOf(node);
				if (freed > 0) {
					LOG.warn("Freed {} throttle slot(s) held by {}, which is gone", freed, node);
				}
				if (now - beat > 100 * leaseMillis) {
					nodes.forget(node);
				}
			}
		});
	}
}
