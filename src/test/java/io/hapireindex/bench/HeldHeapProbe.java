package io.hapireindex.bench;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a running job keeps reachable: a full collection every {@code intervalMillis} while it runs, and the heap
 * still used after each one, above what was used after a full collection before it.
 *
 * <p>Why, beside {@link HeapSampler}'s figures: heap used right after a young collection still holds the garbage
 * promoted to the old generation since the last marking cycle, and a longer job promotes more before one runs, so
 * that figure grows with the job's length whatever it keeps. Only a full collection shows what is held. It stops
 * the JVM for a moment each time, so this runs on an untimed job.
 *
 * <p>The heap is read as the full collection left it (its {@link GcInfo}), not with a call after it returns: by the
 * time the probe's thread runs again, the workers may have allocated megabytes of fresh garbage, and the most of many
 * such readings (a long job takes hundreds) would measure the scheduler, not what the job keeps.
 */
final class HeldHeapProbe implements AutoCloseable {

	/** Names of the collectors that collect the whole heap: G1's and, should the benchmark run another, the others'. */
	private static final Set<String> FULL_COLLECTORS = Set.of("G1 Old Generation", "PS MarkSweep", "MarkSweepCompact");

	private final GarbageCollectorMXBean fullCollector = ManagementFactory.getPlatformMXBeans(GarbageCollectorMXBean.class)
			.stream()
			.filter(collector -> FULL_COLLECTORS.contains(collector.getName()))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no full collector among "
					+ ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList()));
	private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
			.filter(pool -> pool.getType() == MemoryType.HEAP)
			.map(MemoryPoolMXBean::getName)
			.collect(Collectors.toSet());
	private final long baseline;
	private volatile long peak;
	/** Heap held after each full collection, above the baseline, in the order taken. */
	private final List<Long> samples = Collections.synchronizedList(new ArrayList<>());
	private volatile boolean running = true;
	private final Thread thread;

	HeldHeapProbe(long intervalMillis) {
		baseline = heldAfterFullCollection();
		peak = baseline;
		thread = new Thread(() -> {
			while (running) {
				try {
					Thread.sleep(intervalMillis);
				} catch (InterruptedException e) {
					return;
				}
				long used = heldAfterFullCollection();
				samples.add(used - baseline);
				if (used > peak) {
					peak = used;
				}
			}
		}, "bench-held-heap-probe");
		thread.setDaemon(true);
		thread.start();
	}

	/** Runs a full collection and answers the heap in use when it ended, in bytes. */
	private long heldAfterFullCollection() {
		long before = fullCollector.getCollectionCount();
		System.gc();
		GcInfo last = fullCollector.getLastGcInfo();
		if (fullCollector.getCollectionCount() == before || last == null) {
			throw new IllegalStateException("System.gc() ran no full collection (is -XX:+DisableExplicitGC or "
					+ "-XX:+ExplicitGCInvokesConcurrent set?)");
		}
		return last.getMemoryUsageAfterGc().entrySet().stream()
				.filter(pool -> heapPools.contains(pool.getKey()))
				.mapToLong(pool -> pool.getValue().getUsed())
				.sum();
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
