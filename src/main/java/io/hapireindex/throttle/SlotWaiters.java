package io.hapireindex.throttle;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker threads of this node waiting a short while for one of a job's slots, and the release that wakes one.
 *
 * <p>Why a short wait instead of parking at once: a parked chunk only runs again after a batch2 maintenance pass
 * re-queues it and a consumer thread takes it, 50 to 100 ms after the slot it waited for was freed. On Synthea's
 * data that was a gap after almost every batch (two slots, four consumer threads: two chunks parked at any time),
 * a third of the workers' time. A waiter takes a freed slot within milliseconds of its release on this node.
 */
final class SlotWaiters {

	/** A job's waiters on this node. */
	private static final class Line {
		final ReentrantLock lock = new ReentrantLock();
		final Condition released = lock.newCondition();
		int waiting;
	}

	private final ConcurrentHashMap<String, Line> lines = new ConcurrentHashMap<>();

	/**
	 * Waits until a slot of the job is released on this node or the time is up.
	 *
	 * @return false if the thread was interrupted (the caller stops waiting)
	 */
	boolean await(String jobId, long millis) {
		Line line = lines.computeIfAbsent(jobId, id -> new Line());
		line.lock.lock();
		try {
			line.waiting++;
			line.released.await(millis, TimeUnit.MILLISECONDS);
			return true;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return false;
		} finally {
			line.waiting--;
			if (line.waiting == 0) {
				lines.remove(jobId, line);
			}
			line.lock.unlock();
		}
	}

	/** Wakes one waiter of the job; false when none waits here (the caller then calls a parked chunk back). */
	boolean signal(String jobId) {
		Line line = lines.get(jobId);
		if (line == null) {
			return false;
		}
		line.lock.lock();
		try {
			if (line.waiting == 0) {
				return false;
			}
			line.released.signal();
			return true;
		} finally {
			line.lock.unlock();
		}
	}

	/** How many threads of this node wait for a slot of the job. */
	int waiting(String jobId) {
		Line line = lines.get(jobId);
		if (line == null) {
			return 0;
		}
		line.lock.lock();
		try {
			return line.waiting;
		} finally {
			line.lock.unlock();
		}
	}
}
