package io.hapireindex.status;

import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;

import java.math.BigDecimal;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The status of one module job, computed once from batch2's instance and the module's progress rows. The job API
 * renders it as FHIR {@code Parameters} ({@link JobStatusParameters}), the admin API as JSON: both read the same
 * fields, so the page never parses a FHIR resource back.
 *
 * @param status            the contract's word: Queued, Running, Completed, Failed or Canceled
 * @param endTime           batch2 sets no end time on a cancelled job: then its last update, when it was moved to CANCELLED
 * @param progress          percent done, one decimal (whole numbers without)
 * @param resourcesPerSecond null before the job started
 * @param estimatedTimeRemaining seconds, null when the job ended or no rate is known yet
 * @param byPartition       empty unless the server is partitioned (elsewhere every row would repeat the totals)
 * @param errors            the first {@value #MAX_ERRORS_SHOWN} failed resources or scopes
 * @param jobError          batch2's own error message of the instance, if any
 */
public record JobStatus(
		String id,
		String status,
		Date queuedTime,
		Date startTime,
		Date endTime,
		Date lastModified,
		long total,
		long reindexed,
		long failed,
		long skipped,
		long changed,
		long retries,
		BigDecimal progress,
		List<String> resources,
		List<String> searchParams,
		int maximumConcurrency,
		int queryDelayMillis,
		int batchSize,
		int targetDataStoreUsagePercentage,
		String partition,
		BigDecimal resourcesPerSecond,
		Long estimatedTimeRemaining,
		String restartOf,
		boolean terminology,
		Map<String, List<String>> request,
		List<TypeState> byType,
		List<PartitionState> byPartition,
		List<JobProgressStore.JobError> errors,
		String jobError) {

	/** Errors shown in a status; the rest stay in the table for the admin page and export. */
	public static final int MAX_ERRORS_SHOWN = 100;

	public JobStatus {
		resources = List.copyOf(resources);
		searchParams = List.copyOf(searchParams);
		request = request == null ? Map.of() : request;
		byType = List.copyOf(byType);
		byPartition = List.copyOf(byPartition);
		errors = List.copyOf(errors);
	}

	/** Per-type totals, summed over the scopes of that type; {@code firstError} is the first failure of that type. */
	public record TypeState(String type, long total, long reindexed, long failed, long skipped, String firstError) {}

	/** Per-partition totals (the label is the partition's name, or a combined selection such as {@code _ALL}). */
	public record PartitionState(String partition, long total, long reindexed, long failed, long skipped, long changed) {}

	/** Resources done (reindexed, failed or skipped). */
	public long done() {
		return reindexed + failed + skipped;
	}

	/** Azure's "resourceReindexProgressByResource (CountReindexed of Count)" text. */
	public String progressByResource() {
		return byType.stream()
				.map(t -> t.type() + ":" + t.reindexed() + " of " + t.total())
				.collect(Collectors.joining(", "));
	}

	/** The contract's status words, from batch2's state and the module's own counts. */
	public static String statusWord(JobInstance instance, long failed) {
		StatusEnum status = instance.getStatus();
		if (status == StatusEnum.CANCELLED || (instance.isCancelled() && !status.isEnded())) {
			return "Canceled";
		}
		return switch (status) {
			case QUEUED -> "Queued";
			case COMPLETED -> failed > 0 ? "Failed" : "Completed";
			case FAILED -> "Failed";
			default -> "Running";
		};
	}
}
