package io.hapireindex.terminology;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.term.api.ITermDeferredStorageSvc;
import ca.uhn.fhir.jpa.term.api.ITermReadSvc;
import io.hapireindex.hapi.TerminologyTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The terminology side of {@code $terminology-reindex}: after HAPI has re-stored a batch of terminology resources,
 * finish the work HAPI defers, on this node, before the batch counts as done.
 *
 * <p>Why: HAPI stores the concepts of a large CodeSystem (more than
 * {@code JpaStorageSettings.deferIndexingForCodesystemsOfSize}) in an in-memory queue of the node that stored it,
 * deletes replaced code system versions in batch2 jobs, and pre-expands ValueSets in a scheduled task. HAPI's own
 * reindex reports that as pending work and fails the job when it is still pending; here the job saves the
 * queue itself, runs maintenance passes so the deletion jobs progress, and pre-expands the ValueSets that are
 * waiting, so a completed job means the terminology tables are rebuilt.
 */
public class TerminologyStorage {

	/** Types whose storage HAPI derives in terminology tables (NamingSystem has search indexes only). */
	public static final Set<String> STORAGE_TYPES = Set.of("CodeSystem", "ValueSet", "ConceptMap");

	/** The types {@code $terminology-reindex} accepts. */
	public static final Set<String> TYPES = Set.of("CodeSystem", "ValueSet", "ConceptMap", "NamingSystem");

	private static final Logger LOG = LoggerFactory.getLogger(TerminologyStorage.class);

	private final ITermDeferredStorageSvc deferredStorage;
	private final ITermReadSvc termReadSvc;
	private final JpaStorageSettings storageSettings;
	private final IJobMaintenanceService maintenance;
	private final long maxWaitMillis;
	private final TerminologyTables terminologyTables;
	private int pauses;

	public TerminologyStorage(
			ITermDeferredStorageSvc deferredStorage,
			ITermReadSvc termReadSvc,
			JpaStorageSettings storageSettings,
			IJobMaintenanceService maintenance,
			DataSource dataSource,
			long maxWaitMillis) {
		this.terminologyTables = new TerminologyTables(dataSource);
		this.deferredStorage = deferredStorage;
		this.termReadSvc = termReadSvc;
		this.storageSettings = storageSettings;
		this.maintenance = maintenance;
		this.maxWaitMillis = maxWaitMillis;
	}

	/**
	 * Stops HAPI's scheduled saving of deferred concepts on this node until {@link #resumeDeferred()}. Why: HAPI
	 * queues a code system's concepts in memory during the transaction that stores the new version, and its
	 * scheduled task drops queued concepts whose version it cannot see yet ("version PID ... is no longer
	 * valid"); a batch's transaction is long enough for that to happen.
	 */
	public synchronized void pauseDeferred() {
		if (pauses++ == 0) {
			deferredStorage.setProcessDeferred(false);
		}
	}

	public synchronized void resumeDeferred() {
		if (pauses > 0 && --pauses == 0) {
			deferredStorage.setProcessDeferred(true);
		}
	}

	/**
	 * Call after the batch's transaction has committed (the deferred queue is filled during it).
	 *
	 * @param pids the batch's resources
	 * @return the resources whose storage HAPI could not rebuild, with why (a ValueSet HAPI failed to pre-expand)
	 * @throws IllegalStateException when HAPI's deferred work is still not done after the maximum wait
	 */
	public Map<Long, String> settle(String jobId, String resourceType, Collection<Long> pids) {
		long start = System.currentTimeMillis();
		int rounds = 0;
		while (true) {
			deferredStorage.saveAllDeferred();
			if (deferredStorage.isStorageQueueEmpty(true)) {
				break;
			}
			if (System.currentTimeMillis() - start > maxWaitMillis) {
				throw new IllegalStateException("HAPI's deferred terminology work (concepts, code system version"
						+ " deletions) was not finished after " + maxWaitMillis / 1000 + " s");
			}
			// replaced versions are deleted by HAPI batch2 jobs, which advance in maintenance passes
			maintenance.runMaintenancePass();
			sleep(Math.min(2000, 200L * ++rounds));
		}
		if (rounds > 0) {
			LOG.info("Reindex job {}: waited {} ms for HAPI's deferred terminology work after a {} batch",
					jobId, System.currentTimeMillis() - start, resourceType);
		}
		if (storageSettings.isPreExpandValueSets() && !"ConceptMap".equals(resourceType)
				&& !"NamingSystem".equals(resourceType)) {
			// a re-stored ValueSet (or one over a re-stored CodeSystem) waits in NOT_EXPANDED for HAPI's scheduled task
			termReadSvc.preExpandDeferredValueSetsToTerminologyTables();
		}
		Map<Long, String> problems = new LinkedHashMap<>();
		if ("ValueSet".equals(resourceType) && storageSettings.isPreExpandValueSets()) {
			terminologyTables.failedPreExpansions(pids).forEach(pid -> problems.put(pid, "HAPI could not pre-expand"
					+ " this ValueSet (FAILED_TO_EXPAND; the server log says why, e.g. a CodeSystem include needs"
					+ " Hibernate Search)"));
		}
		return problems;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for HAPI's deferred terminology work", e);
		}
	}
}
