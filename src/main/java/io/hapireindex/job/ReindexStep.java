package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IJobStepWorker;
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

/**
 * Last step: reindexes one {@link PidBatch} within the job's throttle ({@link ChunkSlots}), and records the counts.
 * A chunk of a cancelled job does nothing, checked before it waits for a slot and again before it writes.
 */
public class ReindexStep implements IJobStepWorker<ReindexJobParameters, PidBatch, VoidModel> {

	private static final Logger LOG = LoggerFactory.getLogger(ReindexStep.class);

	private final BatchReindexer reindexer;
	private final JobProgressStore progress;
	private final ChunkSlots slots;
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
		this.slots = new ChunkSlots(throttle, nudger);
		this.nudger = nudger;
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ReindexJobParameters, PidBatch> details, @Nonnull IJobDataSink<VoidModel> sink) {
		String jobId = details.getInstance().getInstanceId();
		ReindexJobParameters params = details.getParameters();
		PidBatch batch = details.getData();
		if (cancelled(jobId, details.getChunkId())) {
			return new RunOutcome(0);
		}
		freshness.ensureCurrentFor(jobId, details.getInstance().getCreateTime());
		watchdog.claim(details.getChunkId());
		ReindexThrottle.Permit permit = slots.acquireOrPark(jobId, details.getChunkId(), params);
		long pause = params.queryDelayMillis();
		long busy = -1;
		try {
			// the last moment a cancel can still stop this chunk before it writes anything
			if (cancelled(jobId, details.getChunkId())) {
				return new RunOutcome(0);
			}
			long start = System.currentTimeMillis();
			BatchReindexer.Result result =
					reindexer.reindex(jobId, batch.resourceType(), batch.pids(), params);
			long end = System.currentTimeMillis();
			busy = end - start;
			record(jobId, batch, result, start, end);
			LOG.debug("Reindex job {}: chunk {} reindexed {} {} in {} ms",
					jobId, details.getChunkId(), result.reindexed(), batch.resourceType(), busy);
			pause += ReindexThrottle.dutyCyclePause(busy, params.targetDataStoreUsagePercentage());
			return new RunOutcome(result.reindexed());
		} finally {
			slots.release(permit, busy, pause);
			if (progress.allAccountedFor(jobId, expectedScopes(params))) {
				nudger.nudge(jobId);
			}
		}
	}

	/** The batch's page, counts and failures, once even when its chunk runs again (see recordBatchOnce). */
	private void record(String jobId, PidBatch batch, BatchReindexer.Result result, long start, long end) {
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
	}

	static int expectedScopes(ReindexJobParameters params) {
		return params.scopes().size() + ReindexJobService.idGroups(params.resourceIds()).size();
	}

	private boolean cancelled(String jobId, String chunkId) {
		if (!progress.cancelRequested(jobId)) {
			return false;
		}
		LOG.info("Reindex job {}: cancelled, chunk {} not started", jobId, chunkId);
		return true;
	}
}
