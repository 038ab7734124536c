package io.hapireindex.job;

/**
 * Told about the module's jobs starting and ending on this node, for state that follows jobs (search parameter
 * readiness). Either call may come more than once for one job, or not at all when another node saw the job end
 * first: listeners must be idempotent and must not rely on being called.
 */
public interface ReindexJobListener {

	/** A job was started or an identical running one was reused; before its first maintenance pass is asked for. */
	default void jobStarted(String jobId) {}

	/** The job has reached a final state (Completed, Failed, Cancelled). */
	default void jobEnded(String jobId) {}
}
