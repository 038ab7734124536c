package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IJobStepWorker;
import ca.uhn.fhir.batch2.api.RetryChunkLaterException;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.batch2.api.VoidModel;
import io.hapireindex.cluster.ClusterNode;
import io.hapireindex.cluster.StalledChunkWatchdog;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.throttle.ReindexThrottle;
import jakarta.annotation.Nonnull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Last step: reindexes one {@link PidBatch} within the job's throttle, and records the counts.
 */
public class ReindexStep implements IJobStepWorker<ReindexJobParameters, PidBatch, VoidModel> {

	private static final Logger LOG = LoggerFactory.getLogger(ReindexStep.class);

	private final BatchReindexer reindexer;
	private final JobProgressStore progress;
	private final ReindexThrottle throttle;
	private final JobCompletionNudger nudger;
	private final SearchParamFreshness freshness;
	private final StalledChunkWatchdog watchdog;

	public ReindexStep(
			BatchReindexer reindexer,
			JobProgressStore progress,
			ReindexThrottle throttle,
			JobCompletionNudger nudger,
			SearchParamFreshness freshness,
			StalledChunkWatchdog watchdog) {
		this.freshness = freshness;
		this.watchdog = watchdog;
		this.reindexer = reindexer;
		this.progress = progress;
		this.throttle = throttle;
		this.nudger = nudger;
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ReindexJobParameters, PidBatch> details, @Nonnull IJobDataSink<VoidModel> sink) {
		String jobId = details.getInstance().getInstanceId();
		ReindexJobParameters params = details.getParameters();
		PidBatch batch = details.getData();
		if (cancelled(jobId)) {
			LOG.info("Reindex job {}: cancelled, chunk {} not started", jobId, details.getChunkId());
			return new RunOutcome(0);
		}
		freshness.ensureCurrentFor(jobId, details.getInstance().getCreateTime());
		watchdog.claim(details.getChunkId());
		ReindexThrottle.Attempt attempt = throttle.tryAcquire(jobId, details.getChunkId(), params.maximumConcurrency());
		if (attempt.permit() == null) {
			// park the chunk instead of holding a worker thread; a maintenance pass re-queues it when due
			nudger.passAfter(attempt.retryAfterMillis() + 50);
			throw new RetryChunkLaterException(Duration.ofMillis(attempt.retryAfterMillis()));
		}
		ReindexThrottle.Permit permit = attempt.permit();
		long pause = params.queryDelayMillis();
		long busy = -1;
		try {
			// the last moment a cancel can still stop this chunk before it writes anything
			if (cancelled(jobId)) {
				LOG.info("Reindex job {}: cancelled, chunk {} not started", jobId, details.getChunkId());
				return new RunOutcome(0);
			}
			long start = System.currentTimeMillis();
			BatchReindexer.Result result =
					reindexer.reindex(jobId, batch.resourceType(), batch.pids(), params);
			long end = System.currentTimeMillis();
			busy = end - start;
			progress.recordBatchOnce(
					jobId,
					new JobProgressStore.BatchRecord(
							batch.scopeIndex(),
							batch.pids().size(),
							batch.pids().get(0),
							batch.pids().get(batch.pids().size() - 1),
							start,
							end,
							ClusterNode.ID),
					new JobProgressStore.BatchCounts(result.reindexed(), result.failures().size(), result.skipped(),
							result.retries(), result.changed()),
					result.failures());
			LOG.debug("Reindex job {}: chunk {} reindexed {} {} in {} ms",
					jobId, details.getChunkId(), result.reindexed(), batch.resourceType(), busy);
			pause += ReindexThrottle.dutyCyclePause(busy, params.targetDataStoreUsagePercentage());
			return new RunOutcome(result.reindexed());
		} finally {
			boolean called = permit.release(busy, pause);
			if (called || pause > 0) {
				// the job's next chunk is parked until this slot's pause is over (or now): a maintenance pass
				// brings it back
				nudger.passAfter(pause + 20);
			}
			if (progress.allAccountedFor(jobId, expectedScopes(params))) {
				nudger.nudge(jobId);
			}
		}
	}

	static int expectedScopes(ReindexJobParameters params) {
		return params.scopes().size() + ReindexJobService.idGroups(params.resourceIds()).size();
	}

	private boolean cancelled(String jobId) {
		return progress.cancelRequested(jobId);
	}
}
