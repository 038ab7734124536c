package io.hapireindex.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

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
	/** Heap held after each full collection, above the baseline, in the order taken. */
	private final List<Long> samples = Collections.synchronizedList(new ArrayList<>());
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
				samples.add(used - baseline);
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
		return samples.size();
	}

	/** The median of the samples, in bytes (0 without samples). */
	long medianHeldBytes() {
		List<Long> sorted;
		synchronized (samples) {
			sorted = new ArrayList<>(samples);
		}
		Collections.sort(sorted);
		return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
	}

	/**
	 * Mean of the last quarter of the samples minus the mean of the first quarter, in bytes: what a job that kept
	 * something per resource would show growing as it goes (0 with fewer than 4 samples).
	 */
	long driftBytes() {
		List<Long> copy;
		synchronized (samples) {
			copy = new ArrayList<>(samples);
		}
		int quarter = copy.size() / 4;
		if (quarter == 0) {
			return 0;
		}
		double first = copy.subList(0, quarter).stream().mapToLong(Long::longValue).average().orElse(0);
		double last = copy.subList(copy.size() - quarter, copy.size()).stream().mapToLong(Long::longValue).average().orElse(0);
		return Math.round(last - first);
	}

	@Override
	public void close() throws InterruptedException {
		running = false;
		thread.interrupt();
		thread.join();
	}
}
