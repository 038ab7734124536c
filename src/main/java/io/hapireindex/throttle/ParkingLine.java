package io.hapireindex.throttle;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long a chunk that found every slot of its job taken parks before it asks again.
 *
 * <p>Why not a short fixed time: a batch2 maintenance pass queues every ready chunk of a job at once, so with
 * {@code maximumConcurrency=1} some twenty chunks waited for the one slot, each asking again every 100 ms: 6,038
 * parked attempts in a 30 s job over 50,000 resources. Each attempt costs a few queries, two chunk state changes
 * and a maintenance pass, at normal priority and outside {@link RequestYield}, on every node. Now the first chunk
 * in line comes back when the earliest holder's batch should end, and each one behind it a batch (divided by the
 * job's slots) later: about one per freed slot instead of all of them ten times a second.
 */
final class ParkingLine {

	static final long MIN_PARK_MILLIS = 100;
	static final long MAX_PARK_MILLIS = 5_000;
	/**
	 * A job's line not used for this long is dropped when another job starts parking or releasing here: it ended,
	 * or runs on other nodes. Without this a node kept an entry for every job it ever ran.
	 */
	static final long IDLE_MILLIS = TimeUnit.HOURS.toMillis(1);

	/** One job's chunks parked on this node, and how long its batches take here. */
	private static final class JobLine {
		final Map<String, Long> dueByChunk = new HashMap<>();
		/** Moving average of the job's batch times on this node; 0 until one has run. */
		long batchMillis;
		volatile long usedMillis;

		/** Unused for an hour: no chunk of it is still in line, as none parks longer than {@link #MAX_PARK_MILLIS}. */
		boolean idleAt(long now) {
			return now - usedMillis > IDLE_MILLIS;
		}

		synchronized long park(String chunkId, int slots, long now, long holderStarted) {
			dueByChunk.values().removeIf(due -> due <= now);
			dueByChunk.remove(chunkId);
			long batch = batchMillis > 0 ? batchMillis : MIN_PARK_MILLIS;
			long first = holderStarted >= 0 ? holderStarted + batch - now : batch;
			long wait = first + batch * dueByChunk.size() / Math.max(1, slots);
			wait = bounded(wait);
			dueByChunk.put(chunkId, now + wait);
			return wait;
		}

		synchronized void left(String chunkId) {
			dueByChunk.remove(chunkId);
		}

		synchronized void batchTook(long millis) {
			batchMillis = batchMillis == 0 ? millis : (3 * batchMillis + millis) / 4;
		}
	}

	private final Map<String, JobLine> lines = new ConcurrentHashMap<>();
	private final LongSupplier clock;

	ParkingLine() {
		this(System::currentTimeMillis);
	}

	ParkingLine(LongSupplier clock) {
		this.clock = clock;
	}

	/** A parking time within the bounds every parked chunk keeps to. */
	static long bounded(long waitMillis) {
		return Math.max(MIN_PARK_MILLIS, Math.min(MAX_PARK_MILLIS, waitMillis));
	}

	/**
	 * Parks the chunk behind the job's other parked chunks: how long it should wait, in milliseconds.
	 *
	 * @param holderStartedMillis when the earliest batch holding one of the job's slots started, or -1 if unknown
	 */
	long park(String jobId, String chunkId, int slots, long nowMillis, long holderStartedMillis) {
		return line(jobId).park(chunkId, slots, nowMillis, holderStartedMillis);
	}

	/** The chunk got a slot (or parks for another reason): it no longer waits in line. */
	void left(String jobId, String chunkId) {
		line(jobId).left(chunkId);
	}

	/** A batch of the job took this long on this node. */
	void batchTook(String jobId, long millis) {
		if (millis >= 0) {
			line(jobId).batchTook(millis);
		}
	}

	/** How many jobs this node keeps a line for. */
	int jobs() {
		return lines.size();
	}

	private JobLine line(String jobId) {
		long now = clock.getAsLong();
		JobLine line = lines.get(jobId);
		if (line == null) {
			lines.values().removeIf(other -> other.idleAt(now));
			line = lines.computeIfAbsent(jobId, id -> new JobLine());
		}
		line.usedMillis = now;
		return line;
	}
}
