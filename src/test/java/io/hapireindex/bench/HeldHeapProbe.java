package io.hapireindex.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * What a running job keeps reachable: a full collection every {@code intervalMillis} while it runs, and the heap
 * still used after each one, above what was used after a full collection before it.
 *
 * <p>Why, beside {@link HeapSampler}'s figures: heap used right after a young collection still holds the garbage
 * promoted to the old generation since the last marking cycle, and a longer job promotes more before one runs, so
 * that figure grows with the job's length whatever it keeps. Only a full collection shows what is held. It stops
 * the JVM for a moment each time, so this runs on an untimed job.
 */
final class HeldHeapProbe implements AutoCloseable {

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
	private final long baseline;
	private volatile long peak;
	private volatile int samples;
	private volatile boolean running = true;
	private final Thread thread;

	HeldHeapProbe(long intervalMillis) {
		System.gc();
		baseline = memory.getHeapMemoryUsage().getUsed();
		peak = baseline;
		thread = new Thread(() -> {
			while (running) {
				try {
					Thread.sleep(intervalMillis);
				} catch (InterruptedException e) {
					return;
				}
				System.gc();
				long used = memory.getHeapMemoryUsage().getUsed();
				samples++;
				if (used > peak) {
					peak = used;
				}
			}
		}, "bench-held-heap-probe");
		thread.setDaemon(true);
		thread.start();
	}

	/** The most heap held above the baseline, in bytes. */
	long peakHeldBytes() {
		return peak - baseline;
	}

	int samples() {
		return samples;
	}

	@Override
	public void close() throws InterruptedException {
		running = false;
		thread.interrupt();
		thread.join();
	}
}
