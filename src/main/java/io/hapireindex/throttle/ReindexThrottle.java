package io.hapireindex.throttle;

import io.hapireindex.cluster.ClusterNode;
import io.hapireindex.hapi.Batch2Tables;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Throttles one job's chunks across the whole cluster, without holding batch2's worker threads.
 *
 * <p>batch2 has no per-job concurrency: all jobs share one channel with a few consumer threads per node, and a
 * maintenance pass enqueues every ready chunk at once. So a chunk must hold one of the job's
 * {@code maximumConcurrency} slots, rows in a shared table leased with a conditional UPDATE: the bound holds
 * across nodes, and a slot held by a node that died is free again once its lease runs out.
 *
 * <p>Waiting is done on a worker thread only briefly ({@link #acquire}; longer would stall every other batch2 job
 * on the node): a slot carries a "not before" time, set on release to the job's query delay plus its duty-cycle
 * pause, and a chunk that finds no usable slot soon is parked by the caller until the earliest slot can be used;
 * when every slot is held, behind the job's other parked chunks ({@link ParkingLine}).
 */
public class ReindexThrottle {

	/** A held slot; {@link #release} gives it back with the pause the job wants before its next batch. */
	public final class Permit {
		private final String jobId;
		private final int slot;
		private final String holder;

		private Permit(String jobId, int slot, String holder) {
			this.jobId = jobId;
			this.slot = slot;
			this.holder = holder;
		}

		/**
		 * Gives the slot back and calls the job's longest-parked chunk for it.
		 *
		 * <p>Why call one: a parked chunk only comes back when a maintenance pass finds its poll time passed,
		 * and parked chunks wait in line ({@link ParkingLine}), so without a call the freed slot would stay idle
		 * until the next one's time came; with {@code maximumConcurrency=1} the job took twice as long.
		 *
		 * @param busyMillis  how long the batch took (negative if it did not run to the end)
		 * @param pauseMillis how long this slot stays unusable (query delay, duty-cycle pause)
		 * @return whether a parked chunk was called: it is due when the pause ends, at the next maintenance pass
		 */
		public boolean release(long busyMillis, long pauseMillis) {
			line.batchTook(jobId, busyMillis);
			long usableAt = System.currentTimeMillis() + Math.max(0, pauseMillis);
			slots.release(jobId, slot, holder, usableAt);
			if (pauseMillis <= 0 && waiters.signal(jobId)) {
				// a worker of this node waits for the slot and takes it now: a parked chunk called back
				// would only find it taken
				return false;
			}
			return batch2Tables.callParkedChunkBack(jobId, new Timestamp(usableAt));
		}
	}

	/**
	 * A slot, or how long to wait before asking again.
	 *
	 * @param pausing no slot was held, but every free one pauses (query delay, duty cycle) until the retry time
	 */
	public record Attempt(Permit permit, long retryAfterMillis, boolean pausing) {}

	private final JdbcTemplate jdbc;
	private final Batch2Tables batch2Tables;
	private final SlotTable slots;
	private final long leaseMillis;
	private final WorkerPriority priority;
	private final String node = ClusterNode.ID;
	private final ParkingLine line = new ParkingLine();
	private final SlotWaiters waiters = new SlotWaiters();

	public ReindexThrottle(DataSource dataSource, long leaseMillis, WorkerPriority priority) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.batch2Tables = new Batch2Tables(dataSource);
		this.slots = new SlotTable(dataSource);
		this.leaseMillis = leaseMillis;
		this.priority = priority;
	}

	/**
	 * Takes a usable slot of the job for the chunk, waiting at most {@code maxWaitMillis} on this thread while every
	 * slot is held by a running batch. A pause (query delay, duty cycle) is sat out parked: a throttled job has time
	 * to spare, and a parked chunk is re-queued by whichever node runs the maintenance pass, which is how a job's
	 * work reaches the other nodes of a cluster.
	 *
	 * <p>Why wait at all, against the rule above: a chunk that parks runs again only after a maintenance pass and a
	 * trip through batch2's queue (see {@link SlotWaiters}); a short wait for a batch about to end keeps the job's
	 * slots busy. The bound keeps what other jobs on the node can lose to it to about one batch.
	 */
	public Attempt acquire(String jobId, String chunkId, int maximumConcurrency, long maxWaitMillis) {
		long deadline = System.currentTimeMillis() + maxWaitMillis;
		while (true) {
			Attempt attempt = tryAcquire(jobId, chunkId, maximumConcurrency);
			long left = deadline - System.currentTimeMillis();
			if (attempt.permit() != null || left <= 0 || attempt.pausing()) {
				return attempt;
			}
			// not parked after all: it waits here, and the line's estimates count parked chunks only
			line.left(jobId, chunkId);
			// a release on this node wakes the waiter at once; one on another node is seen at the holder's
			// expected end
			if (!waiters.await(jobId, Math.min(left, attempt.retryAfterMillis()))) {
				return tryAcquire(jobId, chunkId, maximumConcurrency);
			}
		}
	}

	/** Takes a usable slot of the job for the chunk if there is one now; never waits. */
	public Attempt tryAcquire(String jobId, String chunkId, int maximumConcurrency) {
		slots.ensureSlots(jobId, maximumConcurrency);
		String holder = node + "/" + Thread.currentThread().getName() + "/" + UUID.randomUUID();
		long now = System.currentTimeMillis();
		for (int slot = 0; slot < maximumConcurrency; slot++) {
			if (slots.take(jobId, slot, holder, now, leaseMillis)) {
				// the slot bounds how many workers a job uses; the priority, how they share the CPU with requests
				priority.lowerCurrentThread();
				line.left(jobId, chunkId);
				return new Attempt(new Permit(jobId, slot, holder), 0, false);
			}
		}
		Long earliestFree = slots.earliestFree(jobId, maximumConcurrency);
		if (earliestFree != null) {
			// a slot is free but pausing (query delay, duty cycle): its end is known
			line.left(jobId, chunkId);
			return new Attempt(null, ParkingLine.bounded(earliestFree - now), true);
		}
		Timestamp earliestLease = slots.earliestLeaseEnd(jobId, maximumConcurrency);
		long holderStarted = earliestLease == null ? -1 : earliestLease.getTime() - leaseMillis;
		return new Attempt(null, line.park(jobId, chunkId, maximumConcurrency, now, holderStarted), false);
	}

	/**
	 * Keeps a job's share of database time near {@code percent}: after a batch that took {@code busyMillis},
	 * the slot stays idle for {@code busyMillis * (100 - percent) / percent}.
	 */
	public static long dutyCyclePause(long busyMillis, int percent) {
		return percent >= 100 ? 0 : busyMillis * (100 - percent) / percent;
	}
}
