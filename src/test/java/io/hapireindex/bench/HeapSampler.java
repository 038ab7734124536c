package io.hapireindex.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Heap used while a case runs, above what was live before it (a full GC first). Two figures: the peak of heap used
 * sampled every 20 ms (includes garbage not yet collected, so it follows the allocation rate and the collector's
 * sizing), and the peak of heap still used right after a collection (what the case kept alive). Whole-JVM figures:
 * they include the server's own work during the case, which is the point.
 */
final class HeapSampler implements AutoCloseable {

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
	private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
			.filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
	private final long baseline;
	private volatile long peak;
	private volatile long peakAfterGc;
	private volatile boolean running = true;
	private final Thread thread;
	private final List<Runnable> unregister = new ArrayList<>();

	HeapSampler() {
		System.gc();
		baseline = memory.getHeapMemoryUsage().getUsed();
		peak = baseline;
		peakAfterGc = baseline;
		NotificationListener listener = this::onGc;
		for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
			if (gc instanceof NotificationEmitter emitter) {
				emitter.addNotificationListener(listener, null, null);
				unregister.add(() -> {
					try {
						emitter.removeNotificationListener(listener);
					} catch (Exception ignored) {
						// already gone
					}
				});
			}
		}
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

	private void onGc(Notification n, Object handback) {
		if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
			return;
		}
		GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
		long used = 0;
		for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
			if (heapPools.contains(e.getKey())) {
				used += e.getValue().getUsed();
			}
		}
		if (used > peakAfterGc) {
			peakAfterGc = used;
		}
	}

	/** Stops sampling; {peak used - baseline, peak used after a GC - baseline} in bytes. */
	long[] stop() {
		close();
		long used = memory.getHeapMemoryUsage().getUsed();
		return new long[] {Math.max(peak, used) - baseline, Math.max(0, peakAfterGc - baseline)};
	}

	@Override
	public void close() {
		running = false;
		thread.interrupt();
		unregister.forEach(Runnable::run);
		unregister.clear();
	}
}
