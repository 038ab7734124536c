package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.JobInstanceStartRequest;
import ca.uhn.fhir.jpa.batch.models.Batch2JobStartResponse;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.status.ReindexJobStatus;
import org.hl7.fhir.r4.model.Parameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;

/** Starts, reads, lists and cancels the module's reindex jobs (batch2 instances of its own job id). */
public class ReindexJobService {

	private static final Logger LOG = LoggerFactory.getLogger(ReindexJobService.class);

	/** The started (or reused) job, and whether an identical running job was reused. */
	public record Started(String jobId, boolean reused) {}

	private final IJobCoordinator coordinator;
	private final JobProgressStore progress;
	private final JobCompletionNudger nudger;

	public ReindexJobService(IJobCoordinator coordinator, JobProgressStore progress, JobCompletionNudger nudger) {
		this.coordinator = coordinator;
		this.progress = progress;
		this.nudger = nudger;
	}

	public Started start(ReindexJobParameters parameters, RequestDetails request) {
		JobInstanceStartRequest start = new JobInstanceStartRequest(ReindexJob.JOB_DEFINITION_ID, parameters);
		// batch2 returns the queued or running job with identical parameters instead of a second one
		start.setUseCache(true);
		Batch2JobStartResponse response = coordinator.startInstance(request, start);
		if (!response.isUsesCachedResult()) {
			// batch2 enqueues a new job's first chunk only in a maintenance pass: run one now, not in 60 s
			nudger.nudge(response.getInstanceId());
		}
		LOG.info("Reindex job {} {} with {} scope(s), {} id(s)",
				response.getInstanceId(),
				response.isUsesCachedResult() ? "reused" : "started",
				parameters.scopes().size(),
				parameters.resourceIds().size());
		return new Started(response.getInstanceId(), response.isUsesCachedResult());
	}

	public Parameters status(String jobId) {
		JobInstance instance = instance(jobId);
		return ReindexJobStatus.toParameters(
				instance,
				instance.getParameters(ReindexJobParameters.class),
				progress.scopes(jobId),
				progress.errors(jobId, 1000));
	}

	/** Newest first. */
	public List<Parameters> list(String statusWord, int count) {
		return coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0).stream()
				.sorted(Comparator.comparing(JobInstance::getCreateTime).reversed())
				.map(i -> status(i.getInstanceId()))
				.filter(p -> statusWord == null
						|| statusWord.equalsIgnoreCase(p.getParameter("status").getValue().primitiveValue()))
				.limit(count)
				.toList();
	}

	/** Asks batch2 to cancel; no chunk of the job starts its work after this returns. */
	public Parameters cancel(String jobId) {
		JobInstance instance = instance(jobId);
		if (instance.getStatus().isEnded()) {
			throw new ResourceVersionConflictException("Reindex job " + jobId + " has already ended ("
					+ instance.getStatus() + "); only a queued or running job can be cancelled");
		}
		coordinator.cancelInstance(jobId);
		nudger.nudge(jobId);
		LOG.info("Reindex job {}: cancel requested", jobId);
		return status(jobId);
	}

	private JobInstance instance(String jobId) {
		JobInstance instance;
		try {
			instance = coordinator.getInstance(jobId);
		} catch (ResourceNotFoundException e) {
			instance = null;
		}
		if (instance == null || !ReindexJob.JOB_DEFINITION_ID.equals(instance.getJobDefinitionId())) {
			throw new ResourceNotFoundException("No reindex job with id '" + jobId + "'");
		}
		return instance;
	}
}
