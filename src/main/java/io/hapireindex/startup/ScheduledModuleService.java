package io.hapireindex.startup;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@link ModuleService} that works on one daemon thread of its own: the thread exists from {@link #start()} to
 * {@link #stop()} only, so a module that backs off runs none, and a stopped context leaves none behind.
 */
public abstract class ScheduledModuleService implements ModuleService {

	private final String threadName;
	/** Null unless running. */
	private volatile ScheduledExecutorService executor;

	/** @param threadName the thread's name, as a thread dump shows it ({@code hapi-fhir-reindex-...}) */
	protected ScheduledModuleService(String threadName) {
		this.threadName = threadName;
	}

	@Override
	public final synchronized void start() {
		if (executor != null) {
			return;
		}
		ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, threadName);
			t.setDaemon(true);
			return t;
		});
		executor = started;
		try {
			onStart(started);
		} catch (RuntimeException e) {
			// a service that could not begin its work is not running
			executor = null;
			started.shutdownNow();
			throw e;
		}
	}

	@Override
	public final synchronized void stop() {
		if (executor != null) {
			executor.shutdownNow();
			executor = null;
		}
	}

	@Override
	public final boolean isRunning() {
		return executor != null;
	}

	/** Schedules the service's own work; runs under the service's lock, once per start. */
	protected void onStart(ScheduledExecutorService executor) {}

	/** The running executor, or null when the service is not running (not yet started, or stopped). */
	protected final ScheduledExecutorService executor() {
		return executor;
	}
}
