package io.hapireindex.throttle;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The requests this node's FHIR server is serving right now, so that reindex workers can step aside for them
 * ({@link RequestYield}).
 *
 * <p>Why not a plain counter: a request whose completion hook never runs (a servlet container that drops it) would
 * leave the count above zero for good. Each request is kept with its start time instead, and one running for longer
 * than {@link #LONGEST_COUNTED_MILLIS} (an export streaming for minutes, a forgotten entry) no longer counts: reindex work
 * gives way to short interactive requests, not to whatever runs all day.
 *
 * <p>The module's job API and admin page are answered before {@code SERVER_INCOMING_REQUEST_POST_PROCESSED} and so
 * are never counted: watching a job (polling its status) does not slow it down.
 */
@Interceptor
public class RequestActivity {

	static final long LONGEST_COUNTED_MILLIS = 10_000;

	/** Start time and serving thread of every request in progress; RequestDetails has identity equality. */
	private final Map<RequestDetails, Running> inFlight = new ConcurrentHashMap<>();

	private record Running(long startNanos, Thread thread) {}

	private final long longestCountedNanos;

	public RequestActivity() {
		this(LONGEST_COUNTED_MILLIS);
	}

	/** @param longestCountedMillis a request in progress for longer than this no longer counts */
	RequestActivity(long longestCountedMillis) {
		this.longestCountedNanos = TimeUnit.MILLISECONDS.toNanos(longestCountedMillis);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean started(RequestDetails request) {
		inFlight.put(request, new Running(System.nanoTime(), Thread.currentThread()));
		return true;
	}

	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void completed(RequestDetails request) {
		inFlight.remove(request);
	}

	/**
	 * Whether a request other than the calling thread's own is being served (an instance {@code $reindex} runs on
	 * its request's thread and must not wait for itself).
	 */
	public boolean busy() {
		if (inFlight.isEmpty()) {
			return false;
		}
		long now = System.nanoTime();
		Thread self = Thread.currentThread();
		boolean busy = false;
		for (Map.Entry<RequestDetails, Running> next : inFlight.entrySet()) {
			Running running = next.getValue();
			if (now - running.startNanos() > longestCountedNanos) {
				inFlight.remove(next.getKey(), running);
			} else if (running.thread() != self) {
				busy = true;
			}
		}
		return busy;
	}
}
