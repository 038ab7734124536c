package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.JobInstanceStartRequest;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.jpa.batch.models.Batch2JobStartResponse;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.status.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Starts, reads, lists and cancels the module's reindex jobs (batch2 instances of its own job id). */
public class ReindexJobService {

	private static final Logger LOG = LoggerFactory.getLogger(ReindexJobService.class);

	/** The started (or reused) job, and whether an identical running job was reused. */
	public record Started(String jobId, boolean reused) {}

	private final IJobCoordinator coordinator;
	private final JobProgressStore progress;
	private final JobCompletionNudger nudger;
	/** Read at each event, so a listener that depends on this service can still be one. */
	private final Iterable<ReindexJobListener> listeners;

	public ReindexJobService(
			IJobCoordinator coordinator,
			JobProgressStore progress,
			JobCompletionNudger nudger,
			Iterable<ReindexJobListener> listeners) {
		this.coordinator = coordinator;
		this.progress = progress;
		this.nudger = nudger;
		this.listeners = listeners;
	}

	public Started start(ReindexJobParameters parameters, RequestDetails request) {
		JobInstanceStartRequest start = new JobInstanceStartRequest(ReindexJob.JOB_DEFINITION_ID, parameters);
		// batch2 returns the queued or running job with identical parameters instead of a second one
		start.setUseCache(true);
		Batch2JobStartResponse response = coordinator.startInstance(request, start);
		// before the nudge: a small job may end within the first maintenance pass
		listeners.forEach(l -> notify(l, response.getInstanceId(), true));
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

	private static void notify(ReindexJobListener listener, String jobId, boolean started) {
		try {
			if (started) {
				listener.jobStarted(jobId);
			} else {
				listener.jobEnded(jobId);
			}
		} catch (RuntimeException e) {
			// a listener's bookkeeping must never fail the job API call that triggered it
			LOG.warn("Reindex job {}: listener {} failed: {}", jobId, listener.getClass().getSimpleName(), e.toString());
		}
	}

	/** The job's status, computed once; the job API renders it as Parameters, the admin page as JSON. */
	public JobStatus status(String jobId) {
		JobInstance instance = instance(jobId);
		if (instance.getStatus().isEnded()) {
			listeners.forEach(l -> notify(l, jobId, false));
		}
		return JobStatuses.of(
				instance,
				instance.getParameters(ReindexJobParameters.class),
				progress.scopes(jobId),
				progress.errors(jobId, 1000));
	}

	/** Newest first; only the jobs listed get a full status built (a server keeps a week of jobs). */
	public List<JobStatus> list(String statusWord, int count) {
		return coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0).stream()
				.sorted(Comparator.comparing(JobInstance::getCreateTime).reversed())
				.filter(i -> statusWord == null || statusWord.equalsIgnoreCase(statusWord(i)))
				.limit(count)
				.map(i -> status(i.getInstanceId()))
				.toList();
	}

	/** The status word without the rest of the status: the failed count matters only once batch2 says COMPLETED. */
	private String statusWord(JobInstance instance) {
		long failed = instance.getStatus() != StatusEnum.COMPLETED
				? 0
				: progress.failed(instance.getInstanceId());
		return JobStatus.statusWord(instance, failed);
	}

	/** Asks batch2 to cancel; no chunk of the job starts its work after this returns. */
	public JobStatus cancel(String jobId) {
		JobInstances.requireNotEnded(instance(jobId), "Reindex job");
		coordinator.cancelInstance(jobId);
		nudger.nudge(jobId);
		LOG.info("Reindex job {}: cancel requested", jobId);
		return status(jobId);
	}

	/**
	 * Starts a job for what an ended job did not finish: every failed resource, the part of each whole-type
	 * scope outside the pid pages it processed, and every unfinished search-URL or id scope (those again in
	 * full: reindexing is idempotent). The new job's status names the old one ({@code restartOf}).
	 */
	public Started restart(String jobId, RequestDetails request) {
		JobInstance old = instance(jobId);
		JobInstances.requireEnded(old, "cancel it (DELETE) before restarting it");
		// a second restart would do the same work twice: only allowed once the earlier restart failed or was cancelled
		for (JobInstance other : coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0)) {
			ReindexJobParameters otherParams = other.getParameters(ReindexJobParameters.class);
			if (jobId.equals(otherParams.restartOf())
					&& other.getStatus() != StatusEnum.CANCELLED
					&& other.getStatus() != StatusEnum.FAILED) {
				throw new ResourceVersionConflictException("Reindex job " + jobId + " was already restarted as job "
						+ other.getInstanceId() + " (" + other.getStatus() + ")");
			}
		}
		ReindexJobParameters params = old.getParameters(ReindexJobParameters.class);
		Map<Integer, JobProgressStore.ScopeProgress> scopes = new HashMap<>();
		progress.scopes(jobId).forEach(s -> scopes.put(s.scopeIndex(), s));
		Map<Integer, List<List<Long>>> processed = new HashMap<>();
		for (JobProgressStore.BatchRecord b : progress.batches(jobId)) {
			processed.computeIfAbsent(b.scopeIndex(), k -> new ArrayList<>()).add(List.of(b.firstPid(), b.lastPid()));
		}

		List<ReindexScope> todoScopes = new ArrayList<>();
		for (int i = 0; i < params.scopes().size(); i++) {
			ReindexScope scope = params.scopes().get(i);
			if (finished(scopes.get(i))) {
				continue;
			}
			if (scope.wholeType()) {
				List<List<Long>> done = new ArrayList<>(scope.doneRanges());
				done.addAll(processed.getOrDefault(i, List.of()));
				todoScopes.add(new ReindexScope(scope.resourceType(), null, scope.partition(), merge(done)));
			} else {
				todoScopes.add(scope);
			}
		}
		Set<String> todoIds = new LinkedHashSet<>();
		progress.errors(jobId, Integer.MAX_VALUE).stream()
				.filter(JobProgressStore.JobError::namesResource)
				.map(JobProgressStore.JobError::resource)
				.forEach(todoIds::add);
		int index = params.scopes().size();
		for (List<String> group : idGroups(params.resourceIds()).values()) {
			if (!finished(scopes.get(index++))) {
				todoIds.addAll(group);
			}
		}
		if (todoScopes.isEmpty() && todoIds.isEmpty()) {
			throw new ResourceVersionConflictException(
					"Reindex job " + jobId + " finished all of its work; there is nothing to restart");
		}
		ReindexJobParameters next = params.toBuilder()
				.scopes(todoScopes)
				.resourceIds(new ArrayList<>(todoIds))
				.restartOf(jobId)
				.build();
		LOG.info("Reindex job {}: restarting {} scope(s) and {} resource(s)", jobId, todoScopes.size(), todoIds.size());
		return start(next, request);
	}

	/** Explicit ids grouped by type, in the order the generate-scopes step gives the groups their indexes. */
	static Map<String, List<String>> idGroups(List<String> resourceIds) {
		Map<String, List<String>> groups = new TreeMap<>();
		for (String id : resourceIds) {
			groups.computeIfAbsent(id.substring(0, id.indexOf('/')), k -> new ArrayList<>()).add(id);
		}
		return groups;
	}

	private static boolean finished(JobProgressStore.ScopeProgress scope) {
		return scope != null && scope.finished();
	}

	/** Sorted, non-overlapping inclusive ranges. */
	static List<List<Long>> merge(List<List<Long>> ranges) {
		List<List<Long>> sorted = new ArrayList<>(ranges);
		sorted.sort(Comparator.comparing((List<Long> r) -> r.get(0)));
		List<List<Long>> merged = new ArrayList<>();
		for (List<Long> r : sorted) {
			if (!merged.isEmpty() && r.get(0) <= merged.get(merged.size() - 1).get(1) + 1) {
				List<Long> last = merged.remove(merged.size() - 1);
				merged.add(List.of(last.get(0), Math.max(last.get(1), r.get(1))));
			} else {
				merged.add(List.of(r.get(0), r.get(1)));
			}
		}
		return merged;
	}

	private JobInstance instance(String jobId) {
		return JobInstances.findModuleJob(coordinator, jobId)
				.orElseThrow(() -> new ResourceNotFoundException("No reindex job with id '" + jobId + "'"));
	}
}
