package io.hapireindex.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Peak heap used while a case runs, above what was live before it: a full GC first, then a daemon thread reading
 * heap usage every 20 ms. Whole-JVM figure: it includes the server's own work during the case, which is the point.
 */
final class HeapSampler implements AutoCloseable {

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
	private final long baseline;
	private volatile long peak;
	private volatile boolean running = true;
	private final Thread thread;

	HeapSampler() {
		System.gc();
		baseline = memory.getHeapMemoryUsage().getUsed();
		peak = baseline;
		thread = new Thread(() -> {
			while (running) {
				long used = memory.getHeapMemoryUsage().getUsed();
				if (used > peak) {
					peak = used;
				}
				try {
					Thread.sleep(20);
				} catch (InterruptedException e) {
					return;
				}
			}
		}, "bench-heap-sampler");
		thread.setDaemon(true);
		thread.start();
	}

	/** Stops sampling; peak minus baseline in bytes. */
	long stop() {
		running = false;
		thread.interrupt();
		long used = memory.getHeapMemoryUsage().getUsed();
		return Math.max(peak, used) - baseline;
	}

	@Override
	public void close() {
		running = false;
		thread.interrupt();
	}
}
