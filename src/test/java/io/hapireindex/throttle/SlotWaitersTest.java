package io.hapireindex.throttle;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SlotWaitersTest {

	private final SlotWaiters waiters = new SlotWaiters();

	@Test
	void aReleaseWakesAWaiterOfItsJobLongBeforeItsTimeIsUp() throws Exception {
		CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> waiters.await("job", TimeUnit.MINUTES.toMillis(10)));
		awaitWaiting("job", 1);
		assertThat(waiters.signal("other")).as("no waiter of that job").isFalse();
		assertThat(waiters.signal("job")).isTrue();
		// ten minutes of waiting would end the test long before it: the wait ended because of the signal
		assertThat(waiter.get(60, TimeUnit.SECONDS)).isTrue();
		assertThat(waiters.waiting("job")).isZero();
	}

	@Test
	void aReleaseWithNobodyWaitingHereIsNotTakenForAHandOver() {
		assertThat(waiters.signal("job")).isFalse();
		assertThat(waiters.await("job", 1)).as("a wait that times out").isTrue();
		assertThat(waiters.signal("job")).as("the waiter left").isFalse();
	}

	private void awaitWaiting(String jobId, int count) throws InterruptedException {
		long giveUp = System.currentTimeMillis() + 60_000;
		while (waiters.waiting(jobId) < count) {
			assertThat(System.currentTimeMillis()).as("a thread waiting").isLessThan(giveUp);
			Thread.sleep(10);
		}
	}
}
