package io.hapireindex.job;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.model.search.StorageProcessingMessage;
import ca.uhn.fhir.jpa.util.AddRemoveCount;

import io.hapireindex.startup.ModuleService;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells which resources of a batch had index rows added or removed, without re-reading any rows.
 *
 * <p>HAPI's {@code updateEntity} broadcasts {@code JPA_PERFTRACE_INFO} ("For Patient/1 added A and removed R
 * resource search parameter index entries", and the same for presence entries) guarded by
 * {@code !AddRemoveCount.isEmpty()}. In HAPI 8.8.0 {@code isEmpty()} is inverted ({@code add > 0 || remove > 0}),
 * so the message comes exactly for the resources whose rows did NOT change. Which way it behaves is read once
 * from a fresh {@code AddRemoveCount}, so the count stays right when HAPI fixes it.
 *
 * <p>HAPI's reindex path passes no request, so only a hook on the storage interceptor service sees the
 * message; it records into a thread-local map that exists only while one of this module's batches runs on
 * that thread, and ignores every other write.
 */
@Interceptor
public final class ChangedResourceTracker implements ModuleService {

	private static final Pattern CHANGE =
			Pattern.compile("^For (\\S+) added (\\d+) and removed (\\d+) resource search parameter (index|presence) entries");

	/** True on HAPI versions whose {@code isEmpty()} answers "has changes" (8.8.0). */
	static final boolean HAPI_REPORTS_ONLY_UNCHANGED = !new AddRemoveCount().isEmpty();

	/** What the messages of one batch said: resource id to "its rows changed". */
	public static final class Messages {
		private final Map<String, Boolean> index = new HashMap<>();
		private final Map<String, Boolean> presence = new HashMap<>();

		/** How many of the given resources (reindexed with search parameters) had rows added or removed. */
		public int changedAmong(Collection<String> resourceIds) {
			int changed = 0;
			for (String id : resourceIds) {
				if (changed(index, id) || changed(presence, id)) {
					changed++;
				}
			}
			return changed;
		}

		private static boolean changed(Map<String, Boolean> messages, String id) {
			Boolean said = messages.get(id);
			if (HAPI_REPORTS_ONLY_UNCHANGED) {
				// a message means "nothing changed"; silence means rows were added or removed
				return said == null || said;
			}
			return Boolean.TRUE.equals(said);
		}
	}

	private final ThreadLocal<Messages> current = new ThreadLocal<>();
	private final IInterceptorService storageInterceptors;
	private volatile boolean running;

	public ChangedResourceTracker(IInterceptorService storageInterceptors) {
		this.storageInterceptors = storageInterceptors;
	}

	@Override
	public synchronized void start() {
		if (!running) {
			storageInterceptors.registerInterceptor(this);
			running = true;
		}
	}

	@Override
	public synchronized void stop() {
		if (running) {
			storageInterceptors.unregisterInterceptor(this);
			running = false;
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** Runs the work, collecting the storage messages it causes on this thread. */
	public <T> T track(Messages into, Supplier<T> work) {
		Messages previous = current.get();
		current.set(into);
		try {
			return work.get();
		} finally {
			if (previous == null) {
				current.remove();
			} else {
				current.set(previous);
			}
		}
	}

	@Hook(Pointcut.JPA_PERFTRACE_INFO)
	public void onStorageMessage(StorageProcessingMessage message) {
		Messages messages = current.get();
		String text = message.getMessage();
		if (messages == null || text == null) {
			return;
		}
		Matcher m = CHANGE.matcher(text);
		if (m.find()) {
			boolean changed = Long.parseLong(m.group(2)) > 0 || Long.parseLong(m.group(3)) > 0;
			(m.group(4).equals("index") ? messages.index : messages.presence).merge(m.group(1), changed, Boolean::logicalOr);
		}
	}
}
