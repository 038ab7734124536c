package io.hapireindex.job;

import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.status.JobStatus;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes a {@link JobStatus} from batch2's instance, the job's parameters and its progress rows. It lives with the
 * job because it reads the job's parameters; {@code status} keeps the record and its renderings free of the job, so
 * the job can write progress there without the two packages depending on each other.
 */
public final class JobStatuses {

	private JobStatuses() {}

	/** The status of a job now. */
	public static JobStatus of(
			JobInstance instance,
			ReindexJobParameters params,
			List<JobProgressStore.ScopeProgress> scopes,
			List<JobProgressStore.JobError> errors) {
		return of(instance, params, scopes, errors, new Date());
	}

	/** @param now the end of the rate's time span while the job still runs */
	public static JobStatus of(
			JobInstance instance,
			ReindexJobParameters params,
			List<JobProgressStore.ScopeProgress> scopes,
			List<JobProgressStore.JobError> errors,
			Date now) {
		Map<String, String> firstErrorByType = new LinkedHashMap<>();
		errors.stream().filter(e -> e.resource() != null).forEach(e ->
				firstErrorByType.putIfAbsent(typeOf(e.resource()), e.message()));
		Map<String, long[]> sums = new LinkedHashMap<>();
		for (JobProgressStore.ScopeProgress s : scopes) {
			long[] t = sums.computeIfAbsent(s.resourceType(), k -> new long[4]);
			t[0] += s.total();
			t[1] += s.reindexed();
			t[2] += s.failed();
			t[3] += s.skipped();
		}
		List<JobStatus.TypeState> byType = new ArrayList<>();
		sums.forEach((type, t) -> byType.add(new JobStatus.TypeState(type, t[0], t[1], t[2], t[3], firstErrorByType.get(type))));
		long total = byType.stream().mapToLong(JobStatus.TypeState::total).sum();
		long reindexed = byType.stream().mapToLong(JobStatus.TypeState::reindexed).sum();
		long failed = byType.stream().mapToLong(JobStatus.TypeState::failed).sum();
		long skipped = byType.stream().mapToLong(JobStatus.TypeState::skipped).sum();
		long done = reindexed + failed + skipped;

		boolean ended = instance.getStatus().isEnded();
		BigDecimal rate = null;
		Long remaining = null;
		if (instance.getStartTime() != null) {
			Date end = ended
					? (instance.getEndTime() != null ? instance.getEndTime() : instance.getUpdateTime())
					: now;
			double seconds = Math.max(0.001, (end.getTime() - instance.getStartTime().getTime()) / 1000.0);
			double perSecond = done / seconds;
			rate = BigDecimal.valueOf(perSecond).setScale(1, RoundingMode.HALF_UP);
			if (!ended && perSecond > 0 && total > done) {
				remaining = Math.round((total - done) / perSecond);
			}
		}
		List<JobStatus.PartitionState> byPartition = new ArrayList<>();
		if (scopes.stream().anyMatch(s -> !"_ALL".equals(partitionLabel(params, s.scopeIndex())))) {
			countsByPartition(params, scopes).forEach((label, t) ->
					byPartition.add(new JobStatus.PartitionState(label, t[0], t[1], t[2], t[3], t[4])));
		}
		String jobError = instance.getErrorMessage() == null || instance.getErrorMessage().isBlank()
				? null : instance.getErrorMessage();
		return new JobStatus(
				instance.getInstanceId(),
				JobStatus.statusWord(instance, failed),
				instance.getCreateTime(),
				instance.getStatus() != StatusEnum.QUEUED ? instance.getStartTime() : null,
				ended && instance.getEndTime() == null ? instance.getUpdateTime() : instance.getEndTime(),
				instance.getUpdateTime() != null ? instance.getUpdateTime() : instance.getCreateTime(),
				total,
				reindexed,
				failed,
				skipped,
				scopes.stream().mapToLong(JobProgressStore.ScopeProgress::changed).sum(),
				scopes.stream().mapToLong(JobProgressStore.ScopeProgress::retries).sum(),
				progressPercent(done, total, ended && !instance.isCancelled()),
				new ArrayList<>(sums.keySet()),
				params.searchParameterUrls(),
				params.maximumConcurrency(),
				params.queryDelayMillis(),
				params.batchSize(),
				params.targetDataStoreUsagePercentage(),
				params.partitionLabel(),
				rate,
				remaining,
				params.restartOf(),
				params.terminology(),
				params.request(),
				byType,
				byPartition,
				errors.subList(0, Math.min(errors.size(), JobStatus.MAX_ERRORS_SHOWN)),
				jobError);
	}

	/**
	 * Total, reindexed, failed, skipped and changed per partition, in scope order. On a partitioned server a job
	 * over several partitions (a list, or _ALL) has its scopes split at start into one per partition, so each
	 * partition has its own row, labelled with its name ({@code DEFAULT} for the default partition). A combined
	 * row (label {@code _ALL} or {@code A,B}) remains for the explicit ids, which are looked up in the whole
	 * selection, for jobs started before scopes were split, and for a selection too large to split.
	 */
	public static Map<String, long[]> countsByPartition(
			ReindexJobParameters params, List<JobProgressStore.ScopeProgress> scopes) {
		Map<String, long[]> sums = new LinkedHashMap<>();
		for (JobProgressStore.ScopeProgress s : scopes) {
			String label = partitionLabel(params, s.scopeIndex());
			long[] t = sums.computeIfAbsent(label == null || label.isBlank() ? "(default)" : label, k -> new long[5]);
			t[0] += s.total();
			t[1] += s.reindexed();
			t[2] += s.failed();
			t[3] += s.skipped();
			t[4] += s.changed();
		}
		return sums;
	}

	/** The partition selection of one scope; scope indexes past the planned scopes are the explicit-id groups. */
	public static String partitionLabel(ReindexJobParameters params, int scopeIndex) {
		if (scopeIndex >= params.scopes().size()) {
			return params.partitionLabel();
		}
		RequestPartitionId p = params.scopes().get(scopeIndex).partition();
		return p == null ? null : ReindexScope.partitionLabel(p);
	}

	private static BigDecimal progressPercent(long done, long total, boolean finished) {
		if (total == 0) {
			return finished ? BigDecimal.valueOf(100) : BigDecimal.ZERO;
		}
		return BigDecimal.valueOf(Math.min(done, total) * 100.0 / total).setScale(1, RoundingMode.HALF_UP);
	}

	/** The type an error is about: it names a resource ({@code Patient/1}) or a search ({@code Patient?name=x}). */
	static String typeOf(String resourceOrSearch) {
		int end = resourceOrSearch.length();
		for (char c : new char[] {'/', '?'}) {
			int i = resourceOrSearch.indexOf(c);
			if (i >= 0) {
				end = Math.min(end, i);
			}
		}
		return resourceOrSearch.substring(0, end);
	}
}
