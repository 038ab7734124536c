package io.hapireindex.throttle;

import java.util.concurrent.TimeUnit;

/**
 * Lets reindex workers step aside while the node serves requests: before each resource, a worker waits while a
 * request is in progress, within a budget that keeps the job moving under constant load.
 *
 * <p>Why, on top of {@link WorkerPriority}: a lower OS priority only decides who gets the CPU first. A worker that
 * keeps parsing still allocates (the JVM's collections stop request threads too) and keeps its database session
 * busy at normal priority, and on a two-core server searches got twice as slow at their 95th percentile during a
 * {@code maximumConcurrency=1} reindex (benchmark case {@code load}). A request lasts milliseconds; a worker that
 * waits for it costs the job about as much.
 *
 * <p>The budget: a worker earns waiting time while it works, {@code share / (100 - share)} of its working time, at
 * most {@link #MAX_CREDIT_MILLIS} banked, and waits only while it has some. At {@code share} 50 a job keeps at least
 * half its speed however busy the server is; on an idle server nothing changes.
 */
public class RequestYield {

	static final long MAX_CREDIT_MILLIS = 200;
	private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	/** What one worker thread has earned: credit in nanoseconds, and when it last checked. */
	private static final class Credit {
		long nanos;
		long lastCheck = System.nanoTime();
	}

	private final RequestActivity activity;
	private final int sharePercent;
	private final ThreadLocal<Credit> credit = ThreadLocal.withInitial(Credit::new);

	/**
	 * @param sharePercent at most this share of a worker's time goes to waiting for requests (0 never waits, at
	 *                     most 90)
	 */
	public RequestYield(RequestActivity activity, int sharePercent) {
		if (sharePercent < 0 || sharePercent > 90) {
			throw new IllegalArgumentException("sharePercent must be 0..90, was " + sharePercent);
		}
		this.activity = activity;
		this.sharePercent = sharePercent;
	}

	/** Called by a worker between two resources: waits while requests are served and the budget allows. */
	public void pause() {
		if (sharePercent == 0) {
			return;
		}
		Credit c = credit.get();
		long now = System.nanoTime();
		long earned = (now - c.lastCheck) * sharePercent / (100 - sharePercent);
		c.nanos = Math.min(TimeUnit.MILLISECONDS.toNanos(MAX_CREDIT_MILLIS), c.nanos + earned);
		while (c.nanos > 0 && activity.busy()) {
			long before = System.nanoTime();
			try {
				TimeUnit.NANOSECONDS.sleep(STEP_NANOS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				break;
			} finally {
				c.nanos -= System.nanoTime() - before;
			}
		}
		c.lastCheck = System.nanoTime();
	}
}
