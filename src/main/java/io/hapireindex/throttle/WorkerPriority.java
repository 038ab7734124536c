package io.hapireindex.throttle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs reindex work at a lower operating-system scheduling priority (a higher "nice" value) than the server's
 * request threads, so that searches and reads are served first when both want the CPU.
 *
 * <p>Why: a throttled job ({@code maximumConcurrency=1}) still keeps one core busy parsing and extracting, and on
 * a two-core server the request threads then queue behind it (benchmark, PostgreSQL 50k: search p95 went from
 * 26 ms to 114 ms). The JVM cannot set a thread's priority on Linux (Java priorities are ignored there), so the
 * worker thread is reniced by its kernel thread id, once per thread, the first time it runs a reindex chunk. A
 * thread's niceness can only be raised without privileges, so the batch2 worker stays at the lower priority for
 * whatever batch2 work it runs later: that work is background work too.
 *
 * <p>Where there is no {@code /proc/thread-self} or no {@code renice} (not Linux), nothing changes and that is
 * logged once.
 */
public class WorkerPriority {

	private static final Logger LOG = LoggerFactory.getLogger(WorkerPriority.class);

	private final int nice;
	private final ThreadLocal<Boolean> lowered = ThreadLocal.withInitial(() -> Boolean.FALSE);
	private final AtomicBoolean failureLogged = new AtomicBoolean();

	/** @param nice the niceness of reindex worker threads (1..19); 0 leaves them as they are */
	public WorkerPriority(int nice) {
		this.nice = nice;
	}

	/** Lowers the calling thread's priority, the first time this thread asks. */
	public void lowerCurrentThread() {
		if (nice <= 0 || lowered.get()) {
			return;
		}
		lowered.set(Boolean.TRUE);
		try {
			// "<pid>/task/<tid>": the kernel id of this thread, which renice takes as a process id
			String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
			Process renice = new ProcessBuilder("renice", "-n", String.valueOf(nice), "-p", tid)
					.redirectErrorStream(true)
					.start();
			String output = new String(renice.getInputStream().readAllBytes()).trim();
			if (!renice.waitFor(5, TimeUnit.SECONDS) || renice.exitValue() != 0) {
				notLowered("renice answered " + output);
				return;
			}
			LOG.debug("Reindex worker {} (thread {}) now runs at nice {}", Thread.currentThread().getName(), tid, nice);
		} catch (Exception e) {
			if (e instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			notLowered(e.toString());
		}
	}

	private void notLowered(String why) {
		if (failureLogged.compareAndSet(false, true)) {
			LOG.info("Reindex workers keep their scheduling priority ({}); set hapi-fhir-reindex.worker-nice=0 to"
					+ " stop trying", why);
		}
	}
}
