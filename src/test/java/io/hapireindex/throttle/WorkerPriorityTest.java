package io.hapireindex.throttle;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WorkerPriorityTest {

	@Test
	void theCallingThreadAndOnlyItRunsAtTheGivenNiceness() throws Exception {
		assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux only");
		int before = niceOfThisThread();
		AtomicInteger worker = new AtomicInteger(Integer.MIN_VALUE);
		Thread t = new Thread(() -> {
			new WorkerPriority(before + 5).lowerCurrentThread();
			worker.set(niceOfThisThread());
		});
		t.start();
		t.join();

		assertThat(worker.get()).isEqualTo(before + 5);
		assertThat(niceOfThisThread()).isEqualTo(before);
	}

	@Test
	void zeroLeavesTheThreadAlone() {
		assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux only");
		int before = niceOfThisThread();
		new WorkerPriority(0).lowerCurrentThread();
		assertThat(niceOfThisThread()).isEqualTo(before);
	}

	/** Field 19 of /proc/thread-self/stat, counted after the command name (which may contain spaces). */
	private static int niceOfThisThread() {
		try {
			String stat = Files.readString(Path.of("/proc/thread-self/stat"));
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Integer.parseInt(fields[16]);
		} catch (java.io.IOException e) {
			throw new IllegalStateException(e);
		}
	}
}
