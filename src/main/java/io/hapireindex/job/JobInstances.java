package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;

import java.util.Optional;

/**
 * Looking up batch2 job instances, the way the job API, the admin page and search parameter readiness all need it:
 * batch2 answers an unknown id with an exception or with null depending on the store, and either means "no such job".
 */
public final class JobInstances {

	private JobInstances() {}

	/** Any batch2 job of the server. */
	public static Optional<JobInstance> find(IJobCoordinator coordinator, String jobId) {
		try {
			return Optional.ofNullable(coordinator.getInstance(jobId));
		} catch (ResourceNotFoundException e) {
			return Optional.empty();
		}
	}

	/** A job of this module ({@link ReindexJob#JOB_DEFINITION_ID}); another job's id counts as unknown. */
	public static Optional<JobInstance> findModuleJob(IJobCoordinator coordinator, String jobId) {
		return find(coordinator, jobId).filter(i -> ReindexJob.JOB_DEFINITION_ID.equals(i.getJobDefinitionId()));
	}

	/**
	 * Only a queued or running job can be cancelled: an ended one is a conflict (409), named as {@code noun} ("Reindex
	 * job", "Job") followed by its id.
	 */
	public static void requireNotEnded(JobInstance instance, String noun) {
		if (instance.getStatus().isEnded()) {
			throw new ResourceVersionConflictException(noun + " " + instance.getInstanceId() + " has already ended ("
					+ instance.getStatus() + "); only a queued or running job can be cancelled");
		}
	}

	/**
	 * A restart or retry works from what an ended job left: a queued or running one is a conflict (409), with
	 * {@code advice} on what to do instead.
	 */
	public static void requireEnded(JobInstance instance, String advice) {
		if (!instance.getStatus().isEnded()) {
			throw new ResourceVersionConflictException("Reindex job " + instance.getInstanceId() + " is still "
					+ instance.getStatus() + "; " + advice);
		}
	}
}
