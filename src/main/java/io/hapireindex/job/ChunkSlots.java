package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.RetryChunkLaterException;
import io.hapireindex.throttle.ReindexThrottle;

import java.time.Duration;

/**
 * A reindex chunk's slot in the job's throttle, and the maintenance passes that bring parked chunks back: batch2 only
 * re-queues a chunk that asked to run later in a maintenance pass, so every wait here asks the nudger for one.
 */
final class ChunkSlots {

	/**
	 * How long a chunk may hold a batch2 consumer thread waiting for a slot before it parks: about one warm batch
	 * of 500 resources, so a job's slots pass from batch to batch without a maintenance pass in between, while a
	 * chunk of another job queued behind loses at most this.
	 */
	static final long MAX_WAIT_MILLIS = 1_000;

	private final ReindexThrottle throttle;
	private final JobCompletionNudger nudger;

	ChunkSlots(ReindexThrottle throttle, JobCompletionNudger nudger) {
		this.throttle = throttle;
		this.nudger = nudger;
	}

	/**
	 * A slot, within a short wait, or the chunk is parked (an exception batch2 understands) instead of holding a
	 * worker thread longer.
	 *
	 * <p>A job with a query delay or a duty cycle never waits on the thread: it has asked to go slower than it
	 * could, so a maintenance pass's delay costs it nothing, and its parked chunks are what the other nodes of a
	 * cluster pick up (see docs/reliability.md).
	 */
	ReindexThrottle.Permit acquireOrPark(String jobId, String chunkId, ReindexJobParameters params) {
		boolean throttled = params.queryDelayMillis() > 0 || params.targetDataStoreUsagePercentage() < 100;
		ReindexThrottle.Attempt attempt =
				throttle.acquire(jobId, chunkId, params.maximumConcurrency(), throttled ? 0 : MAX_WAIT_MILLIS);
		if (attempt.permit() == null) {
			// a maintenance pass re-queues it when due
			nudger.passAfter(attempt.retryAfterMillis() + 50);
			throw new RetryChunkLaterException(Duration.ofMillis(attempt.retryAfterMillis()));
		}
		return attempt.permit();
	}

	/**
	 * @param busyMillis how long the chunk worked, -1 when it did not
	 * @param pauseMillis how long the slot stays closed after it
	 */
	void release(ReindexThrottle.Permit permit, long busyMillis, long pauseMillis) {
		boolean called = permit.release(busyMillis, pauseMillis);
		if (called || pauseMillis > 0) {
			// the job's next chunk is parked until this slot's pause is over (or now): a maintenance pass
			// brings it back
			nudger.passAfter(pauseMillis + 20);
		}
	}
}
