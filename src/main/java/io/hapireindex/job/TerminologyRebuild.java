package io.hapireindex.job;

import io.hapireindex.terminology.TerminologyStorage;

import java.util.Map;
import java.util.function.IntSupplier;

/**
 * A {@code $terminology-reindex} batch of CodeSystem, ValueSet or ConceptMap resources: HAPI's reindex rebuilds their
 * terminology storage as a side effect, partly in deferred work. That work is paused while the batch runs and then
 * settled for the batch's resources, so a resource whose storage was not rebuilt is reported as failed.
 */
final class TerminologyRebuild {

	private final TerminologyStorage terminologyStorage;

	TerminologyRebuild(TerminologyStorage terminologyStorage) {
		this.terminologyStorage = terminologyStorage;
	}

	static boolean applies(ReindexJobParameters job, String resourceType) {
		return job.terminology() && TerminologyStorage.STORAGE_TYPES.contains(resourceType);
	}

	/**
	 * Runs the batch with deferred terminology work paused, then settles it.
	 *
	 * @param failures where a resource whose terminology storage was not rebuilt is added
	 * @return what {@code batch} returned
	 */
	int around(String jobId, String resourceType, Map<Long, String> live, Map<String, String> failures, IntSupplier batch) {
		int result;
		terminologyStorage.pauseDeferred();
		try {
			result = batch.getAsInt();
		} finally {
			terminologyStorage.resumeDeferred();
		}
		try {
			terminologyStorage.settle(jobId, resourceType, live.keySet())
					.forEach((pid, problem) -> failures.putIfAbsent(resourceType + "/" + live.get(pid), problem));
		} catch (RuntimeException e) {
			String message = "terminology storage not rebuilt: " + e.getMessage();
			live.values().forEach(fhirId -> failures.putIfAbsent(resourceType + "/" + fhirId, message));
		}
		return result;
	}
}
