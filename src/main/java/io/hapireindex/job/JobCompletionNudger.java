package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.model.JobInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a batch2 maintenance pass soon after a job's last chunk instead of waiting for the next scheduled
 * one (every 60 s). Only a maintenance pass moves a job to COMPLETED or CANCELLED, so without this a
 * one-resource job would report Running for up to a minute after its work was done.
 */
public class JobCompletionNudger implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(JobCompletionNudger.class);
	private static final long[] DELAYS_MILLIS = {150, 400, 1000, 2500, 5000};

	private final IJobMaintenanceService maintenance;
	private final IJobCoordinator coordinator;
	/** Jobs with a schedule running, and whether a newer nudge asked to start the schedule over. */
	private final ConcurrentHashMap<String, Boolean> pending = new ConcurrentHashMap<>();
	private final java.util.Set<Long> scheduledPasses = ConcurrentHashMap.newKeySet();
	private final java.util.List<ReindexJobListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread t = new Thread(r, "hapi-fhir-reindex-completion");
		t.setDaemon(true);
		return t;
	});

	public JobCompletionNudger(IJobMaintenanceService maintenance, IJobCoordinator coordinator) {
		this.maintenance = maintenance;
		this.coordinator = coordinator;
	}

	/** Told when a nudged job is seen ended, which is usually the first moment this node knows. */
	public void addListener(ReindexJobListener listener) {
		listeners.add(listener);
	}

	/** Asks for a maintenance pass shortly; repeated calls for one job collapse into one schedule. */
	public void nudge(String jobId) {
		if (pending.putIfAbsent(jobId, Boolean.FALSE) == null) {
			schedule(jobId, 0);
		} else {
			pending.put(jobId, Boolean.TRUE);
		}
	}

	/**
	 * One maintenance pass after the delay, so a chunk parked until then is re-queued promptly; passes asked
	 * for within the same tenth of a second collapse into one.
	 */
	public void passAfter(long delayMillis) {
		long due = (System.currentTimeMillis() + delayMillis) / 100;
		if (scheduledPasses.add(due)) {
			executor.schedule(() -> {
				scheduledPasses.remove(due);
				try {
					maintenance.runMaintenancePass();
				} catch (RuntimeException e) {
					LOG.warn("Maintenance pass failed: {}", e.toString());
				}
			}, delayMillis, TimeUnit.MILLISECONDS);
		}
	}

	private void schedule(String jobId, int attempt) {
		executor.schedule(() -> run(jobId, attempt), DELAYS_MILLIS[attempt], TimeUnit.MILLISECONDS);
	}

	private void run(String jobId, int attempt) {
		try {
			maintenance.runMaintenancePass();
			JobInstance instance = coordinator.getInstance(jobId);
			if (!instance.getStatus().isEnded()) {
				boolean renewed = Boolean.TRUE.equals(pending.put(jobId, Boolean.FALSE));
				int next = renewed ? 0 : attempt + 1;
				if (next < DELAYS_MILLIS.length) {
					schedule(jobId, next);
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
		pending.remove(jobId);
	}

	@Override
	public void close() {
		executor.shutdownNow();
	}
}
