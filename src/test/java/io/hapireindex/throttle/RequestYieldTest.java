package io.hapireindex.throttle;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The budget and the bookkeeping behind reindex workers stepping aside for requests. Bounds are wide: these check
 * what waits and what does not, not how fast anything is (the benchmark's {@code load} case measures the effect).
 */
class RequestYieldTest {

	@Test
	void aWorkerWaitsForAnotherThreadsRequestWithinWhatItEarnedWhileWorking() throws Exception {
		RequestActivity activity = new RequestActivity();
		RequestYield yield = new RequestYield(activity, 50);
		yield.pause(); // starts this thread's account
		SystemRequestDetails request = new SystemRequestDetails();
		CompletableFuture.runAsync(() -> activity.started(request)).get();

		TimeUnit.MILLISECONDS.sleep(100); // "work": earns 100 ms of waiting at 50 %
		long waited = timed(yield::pause);
		assertThat(waited).as("waited for the request, within the credit").isBetween(60L, 400L);

		// the credit is spent: at once the next time, although the request still runs
		assertThat(timed(yield::pause)).isLessThan(60L);
	}

	@Test
	void aWorkerStopsWaitingWhenTheRequestEnds() throws Exception {
		RequestActivity activity = new RequestActivity();
		RequestYield yield = new RequestYield(activity, 90);
		yield.pause();
		TimeUnit.MILLISECONDS.sleep(150); // earns up to the 200 ms cap at 90 %
		SystemRequestDetails request = new SystemRequestDetails();
		CompletableFuture.runAsync(() -> activity.started(request)).get();
		CompletableFuture<Void> ends = CompletableFuture.runAsync(() -> {
			sleep(30);
			activity.completed(request);
		});
		long waited = timed(yield::pause);
		ends.get();
		assertThat(waited).isBetween(20L, 150L);
		assertThat(activity.busy()).isFalse();
	}

	@Test
	void nothingWaitsOnAnIdleServerOrWithAShareOfZero() throws Exception {
		RequestActivity activity = new RequestActivity();
		RequestYield yield = new RequestYield(activity, 50);
		yield.pause();
		TimeUnit.MILLISECONDS.sleep(100);
		assertThat(timed(yield::pause)).isLessThan(60L);

		SystemRequestDetails request = new SystemRequestDetails();
		CompletableFuture.runAsync(() -> activity.started(request)).get();
		RequestYield never = new RequestYield(activity, 0);
		never.pause();
		TimeUnit.MILLISECONDS.sleep(100);
		assertThat(timed(never::pause)).isLessThan(60L);
	}

	@Test
	void theCallersOwnRequestAndRequestsRunningTooLongDoNotCount() throws Exception {
		RequestActivity activity = new RequestActivity(200);
		// an instance $reindex runs on its request's own thread
		activity.started(new SystemRequestDetails());
		assertThat(activity.busy()).isFalse();

		SystemRequestDetails other = new SystemRequestDetails();
		CompletableFuture.runAsync(() -> activity.started(other)).get();
		assertThat(activity.busy()).isTrue();
		TimeUnit.MILLISECONDS.sleep(300); // longer than counted: a stream that runs for minutes, or a lost completion
		assertThat(activity.busy()).isFalse();
	}

	@Test
	void theShareIsBounded() {
		RequestActivity activity = new RequestActivity();
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RequestYield(activity, 91))
				.isInstanceOf(IllegalArgumentException.class);
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RequestYield(activity, -1))
				.isInstanceOf(IllegalArgumentException.class);
	}

	private static long timed(Runnable r) {
		long t0 = System.nanoTime();
		r.run();
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
	}

	private static void sleep(long millis) {
		try {
			TimeUnit.MILLISECONDS.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
