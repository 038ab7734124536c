package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.model.JobInstance;
import io.hapireindex.startup.ScheduledModuleService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a batch2 maintenance pass soon after a job's last chunk instead of waiting for the next scheduled
 * one (every 60 s). Only a maintenance pass moves a job to COMPLETED or CANCELLED, so without this a
 * one-resource job would report Running for up to a minute after its work was done.
 */
public class JobCompletionNudger extends ScheduledModuleService {

	private static final Logger LOG = LoggerFactory.getLogger(JobCompletionNudger.class);
	/**
	 * The first pass comes almost at once: a new job's first chunk and a finished job's last chunk are
	 * committed within milliseconds of the nudge; later passes catch a slower commit or a pass that was
	 * skipped because another was running.
	 */
	private static final long[] DELAYS_MILLIS = {20, 100, 250, 500, 1000, 2500, 5000};

	private final IJobMaintenanceService maintenance;
	private final IJobCoordinator coordinator;
	/** The newest nudge of each job with a schedule running; older schedules stop at their next step. */
	private final ConcurrentHashMap<String, Long> generations = new ConcurrentHashMap<>();
	private final java.util.Set<Long> scheduledPasses = ConcurrentHashMap.newKeySet();
	/** Told when a nudged job is seen ended, which is usually the first moment this node knows. */
	private final Iterable<ReindexJobListener> listeners;

	public JobCompletionNudger(
			IJobMaintenanceService maintenance, IJobCoordinator coordinator, Iterable<ReindexJobListener> listeners) {
		// no thread until started: a module that backs off runs none
		super("hapi-fhir-reindex-completion");
		this.maintenance = maintenance;
		this.coordinator = coordinator;
		this.listeners = listeners;
	}

	/**
	 * Asks for maintenance passes shortly, then less often, until the job is seen ended. A newer nudge for the
	 * same job starts the schedule over at once: the last chunk of a job nudges, and its job should be seen
	 * complete within a tenth of a second, not after whatever delay an older schedule had reached.
	 */
	public void nudge(String jobId) {
		long generation = generations.merge(jobId, 1L, Long::sum);
		schedule(jobId, generation, 0);
	}

	/**
	 * One maintenance pass after the delay, so a chunk parked until then is re-queued promptly; passes asked
	 * for within the same tenth of a second collapse into one.
	 */
	public void passAfter(long delayMillis) {
		long due = (System.currentTimeMillis() + delayMillis) / 100;
		ScheduledExecutorService running = executor();
		if (running == null) {
			return; // not started: the scheduled maintenance pass still comes
		}
		if (scheduledPasses.add(due)) {
			running.schedule(() -> {
				scheduledPasses.remove(due);
				try {
					maintenance.runMaintenancePass();
				} catch (RuntimeException e) {
					LOG.warn("Maintenance pass failed: {}", e.toString());
				}
			}, delayMillis, TimeUnit.MILLISECONDS);
		}
	}

	private void schedule(String jobId, long generation, int attempt) {
		ScheduledExecutorService running = executor();
		if (running == null) {
			generations.remove(jobId, generation);
			return; // not started: the scheduled maintenance pass still comes
		}
		running.schedule(() -> run(jobId, generation, attempt), DELAYS_MILLIS[attempt], TimeUnit.MILLISECONDS);
	}

	private void run(String jobId, long generation, int attempt) {
		if (!Long.valueOf(generation).equals(generations.get(jobId))) {
			return; // a newer nudge runs its own schedule
		}
		try {
			maintenance.runMaintenancePass();
			JobInstance instance = coordinator.getInstance(jobId);
			if (!instance.getStatus().isEnded()) {
				if (attempt + 1 < DELAYS_MILLIS.length) {
					schedule(jobId, generation, attempt + 1);
					return;
				}
			} else {
				for (ReindexJobListener listener : listeners) {
					listener.jobEnded(jobId);
				}
			}
		} catch (RuntimeException e) {
			LOG.warn("Reindex job {}: maintenance pass failed: {}", jobId, e.toString());
		}
		generations.remove(jobId, generation);
	}
}
