package io.hapireindex.job;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.api.dao.ReindexOutcome;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.hapireindex.hapi.HapiTexts;
import io.hapireindex.hapi.ResourceTables;
import io.hapireindex.index.FullRowIndexer;
import io.hapireindex.index.InLists;
import io.hapireindex.index.TargetedIndexer;
import io.hapireindex.terminology.TerminologyStorage;
import io.hapireindex.throttle.RequestYield;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.FlushMode;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.orm.jpa.SharedEntityManagerCreator;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Reindexes one batch of resources of one type.
 *
 * <p>A full reindex recomputes every row with HAPI's extractor and synchronizer ({@link FullRowIndexer}), so the
 * rows written are exactly HAPI's; where that path does not cover the server's setup (fulltext indexing,
 * storage options, SearchParameter resources) it uses HAPI's own {@link IFhirResourceDao#reindex}. A targeted
 * job recomputes only its parameters' rows ({@link TargetedIndexer}) when that is possible. A resource deleted
 * or expunged since its id was loaded is skipped and counted (HAPI's job throws a NullPointerException on the
 * latter); a resource that cannot be reindexed is retried a bounded number of times, then reported with its id,
 * and does not stop the rest of the batch.
 *
 * <p>CodeSystem, ValueSet and ConceptMap: HAPI's reindex of these rebuilds their terminology storage as a side
 * effect (all concepts re-stored as a new code system version...). A reindex job only recomputes their index
 * rows; a {@code $terminology-reindex} job wants exactly that side effect, so it uses HAPI's reindex and then
 * settles HAPI's deferred terminology work ({@link TerminologyStorage}).
 */
public class BatchReindexer {

	private static final Logger LOG = LoggerFactory.getLogger(BatchReindexer.class);

	/**
	 * What happened to a batch.
	 *
	 * @param retries how many extra attempts failing resources got (each bounded by the configured retries)
	 * @param changed how many resources had index rows added or removed
	 */
	public record Result(int reindexed, int skipped, Map<String, String> failures, int retries, int changed) {}

	/** Work on some resources of the batch in the current transaction: the failure messages by pid. */
	private interface BatchWork {
		Map<Long, String> run(Map<Long, String> resources);
	}

	private final DaoRegistry daoRegistry;
	private final IFhirSystemDao<?, ?> systemDao;
	private final IHapiTransactionService transactionService;
	private final ResourceTables resourceTables;
	private final int retries;
	private final IndexRowSnapshots snapshots;
	private final TargetedIndexer targetedIndexer;
	private final EntityManager entityManager;
	private final TerminologyStorage terminologyStorage;
	private final FullRowIndexer fullRowIndexer;
	private final RequestYield requestYield;

	public BatchReindexer(
			DaoRegistry daoRegistry,
			IFhirSystemDao<?, ?> systemDao,
			IHapiTransactionService transactionService,
			DataSource dataSource,
			int retries,
			IndexRowSnapshots snapshots,
			TargetedIndexer targetedIndexer,
			EntityManagerFactory entityManagerFactory,
			FullRowIndexer fullRowIndexer,
			TerminologyStorage terminologyStorage,
			RequestYield requestYield) {
		this.requestYield = requestYield;
		this.entityManager = SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory);
		this.fullRowIndexer = fullRowIndexer;
		this.terminologyStorage = terminologyStorage;
		this.daoRegistry = daoRegistry;
		this.systemDao = systemDao;
		this.transactionService = transactionService;
		this.resourceTables = new ResourceTables(dataSource);
		this.retries = retries;
		this.snapshots = snapshots;
		this.targetedIndexer = targetedIndexer;
	}

	public Result reindex(String jobId, String resourceType, List<Long> pids, ReindexJobParameters job) {
		Map<Long, String> live = liveResources(pids);
		int skipped = pids.size() - live.size();
		ReindexParameters parameters = job.toHapiParameters();
		Set<String> targetNames = rowOnly(job) ? targetedIndexer.targetNames(resourceType, job.searchParameterUrls()) : null;

		boolean storageWork = job.optimizeStorage() != ReindexParameters.OptimizeStorageModeEnum.NONE
				|| job.correctCurrentVersion() != ReindexParameters.CorrectCurrentVersionModeEnum.NONE;
		boolean terminologyType = TerminologyStorage.STORAGE_TYPES.contains(resourceType);
		// Rows only, without HAPI's updateEntity: always for terminology resources outside $terminology-reindex
		// (updateEntity would rebuild their terminology storage), and for every other type where it computes
		// exactly HAPI's rows, because it is several times faster (see FullRowIndexer). SearchParameter keeps
		// HAPI's path: its DAO runs its own hooks after an update.
		boolean rowsOnly = !job.terminology()
				&& targetNames == null
				&& parameters.getReindexSearchParameters() == ReindexParameters.ReindexSearchParametersEnum.ALL
				&& !"SearchParameter".equals(resourceType)
				&& (terminologyType || (fullRowIndexer.covers() && !storageWork));

		Set<Long> changedTargeted = new HashSet<>();
		BatchWork work;
		if (targetNames != null) {
			work = resources -> {
				changedTargeted.addAll(
						targetedIndexer.reindexBatch(
								resourceType, resources.keySet(), targetNames, job.optimisticLock(), requestYield::pause));
				return Map.of();
			};
		} else if (rowsOnly) {
			IFhirResourceDao<?> dao = daoRegistry.getResourceDao(resourceType);
			// storage options (terminology types only get here with them) still go to HAPI, with its
			// re-indexing, and so its terminology side effect, off
			ReindexParameters storageOnly = job.toHapiParameters()
					.setReindexSearchParameters(ReindexParameters.ReindexSearchParametersEnum.NONE);
			work = resources -> {
				FullRowIndexer.Outcome outcome = fullRowIndexer.reindexBatch(
						resources.keySet(), job.optimisticLock(), requestYield::pause);
				changedTargeted.addAll(outcome.changed());
				Map<Long, String> failed = new HashMap<>(outcome.failed());
				if (storageWork) {
					TransactionDetails tx = new TransactionDetails();
					for (Long pid : resources.keySet()) {
						failureIn(dao.reindex(JpaPid.fromId(pid), storageOnly, new SystemRequestDetails(), tx))
								.ifPresent(m -> failed.putIfAbsent(pid, m));
					}
				}
				return failed;
			};
		} else if (parameters.getReindexSearchParameters() != ReindexParameters.ReindexSearchParametersEnum.NONE) {
			work = resources -> {
				IndexRowSnapshots.Snapshot before = snapshots.take(resourceType, resources.keySet());
				Map<Long, String> failed = fullReindex(daoRegistry.getResourceDao(resourceType), resources, parameters);
				changedTargeted.addAll(before.changedIn(snapshots.take(resourceType, resources.keySet())));
				return failed;
			};
		} else {
			work = resources -> fullReindex(daoRegistry.getResourceDao(resourceType), resources, parameters);
		}

		Map<String, String> failures = new LinkedHashMap<>();
		boolean rebuildsTerminology = job.terminology() && TerminologyStorage.STORAGE_TYPES.contains(resourceType);
		int retried;
		if (rebuildsTerminology) {
			terminologyStorage.pauseDeferred();
			try {
				retried = runBatch(jobId, resourceType, live, work, failures);
			} finally {
				terminologyStorage.resumeDeferred();
			}
		} else {
			retried = runBatch(jobId, resourceType, live, work, failures);
		}
		if (rebuildsTerminology) {
			try {
				terminologyStorage.settle(jobId, resourceType, live.keySet())
						.forEach((pid, problem) -> failures.putIfAbsent(resourceType + "/" + live.get(pid), problem));
			} catch (RuntimeException e) {
				String message = "terminology storage not rebuilt: " + e.getMessage();
				live.values().forEach(fhirId -> failures.putIfAbsent(resourceType + "/" + fhirId, message));
			}
		}

		int vanished = dropVanished(resourceType, live, failures);
		skipped += vanished;
		failures.forEach((id, message) -> LOG.warn("Reindex job {}: {} failed: {}", jobId, id, message));

		int changed;
		if (targetNames != null || rowsOnly) {
			changed = changedTargeted.size();
		} else if (parameters.getReindexSearchParameters() != ReindexParameters.ReindexSearchParametersEnum.NONE) {
			// a resource that failed in the end counts as unchanged, though an attempt that rolled back saw a change
			changed = (int) changedTargeted.stream()
					.filter(pid -> live.containsKey(pid) && !failures.containsKey(resourceType + "/" + live.get(pid)))
					.count();
		} else {
			changed = 0;
		}
		return new Result(live.size() - vanished - failures.size(), skipped, failures, retried, changed);
	}

	/**
	 * A resource deleted or expunged while its batch ran fails its attempts ("changed while it was reindexed", "is
	 * gone"): it is skipped, like one already gone when the batch started, not failed. Removes those failures.
	 *
	 * @return how many there were
	 */
	private int dropVanished(String resourceType, Map<Long, String> live, Map<String, String> failures) {
		if (failures.isEmpty()) {
			return 0;
		}
		List<Long> failed = live.entrySet().stream()
				.filter(e -> failures.containsKey(resourceType + "/" + e.getValue()))
				.map(Map.Entry::getKey)
				.toList();
		Map<Long, String> stillLive = liveResources(failed);
		int vanished = 0;
		for (Long pid : failed) {
			if (!stillLive.containsKey(pid)) {
				failures.remove(resourceType + "/" + live.get(pid));
				vanished++;
			}
		}
		return vanished;
	}

	/** Row-only recompute changes index rows only, so it is used when the job asks for nothing else. */
	private static boolean rowOnly(ReindexJobParameters job) {
		return !job.searchParameterUrls().isEmpty()
				&& job.reindexSearchParameters() == ReindexParameters.ReindexSearchParametersEnum.ALL
				&& job.optimizeStorage() == ReindexParameters.OptimizeStorageModeEnum.NONE
				&& job.correctCurrentVersion() == ReindexParameters.CorrectCurrentVersionModeEnum.NONE;
	}

	/** HAPI's own reindex of each resource, after loading them and their index rows in a few queries. */
	private Map<Long, String> fullReindex(
			IFhirResourceDao<?> dao, Map<Long, String> resources, ReindexParameters parameters) {
		List<JpaPid> jpaPids = resources.keySet().stream().map(JpaPid::fromId).collect(Collectors.toList());
		systemDao.preFetchResources(
				jpaPids, parameters.getReindexSearchParameters() != ReindexParameters.ReindexSearchParametersEnum.NONE);
		TransactionDetails tx = new TransactionDetails();
		Map<Long, String> failed = new HashMap<>();
		for (JpaPid pid : jpaPids) {
			requestYield.pause();
			try {
				failureIn(dao.reindex(pid, parameters, new SystemRequestDetails(), tx))
						.ifPresent(m -> failed.put(pid.getId(), m));
			} catch (BaseServerResponseException | DataFormatException e) {
				failed.put(pid.getId(), e.getMessage());
			}
		}
		return failed;
	}

	/** The batch in one transaction; if that fails as a whole, resource by resource; then bounded retries. */
	private int runBatch(
			String jobId, String resourceType, Map<Long, String> live, BatchWork work, Map<String, String> failures) {
		try {
			// the batch's first queries too wait for requests in progress
			requestYield.pause();
			transactionService.withSystemRequest().execute(() -> {
				flushAtCommitOnly();
				work.run(live).forEach((pid, message) -> failures.put(resourceType + "/" + live.get(pid), message));
			});
		} catch (RuntimeException batchFailure) {
			// The batch's transaction failed as a whole (a concurrent update under optimisticLock, a
			// database error): redo it one resource per transaction to reindex the rest and name the culprits.
			LOG.warn("Reindex job {}: batch of {} {} failed ({}), retrying one by one",
					jobId, live.size(), resourceType, batchFailure.toString());
			failures.clear();
			live.forEach((pid, fhirId) -> attempt(work, pid, fhirId).ifPresent(m -> failures.put(resourceType + "/" + fhirId, m)));
		}
		// A failure may be passing (a lock, a deferred terminology write): try again a bounded number of times.
		int retried = 0;
		for (int round = 1; round <= retries && !failures.isEmpty(); round++) {
			sleepQuietly(100L * round);
			for (Map.Entry<Long, String> next : live.entrySet()) {
				String id = resourceType + "/" + next.getValue();
				if (failures.containsKey(id)) {
					retried++;
					Optional<String> again = attempt(work, next.getKey(), next.getValue());
					if (again.isEmpty()) {
						failures.remove(id);
					} else {
						failures.put(id, again.get());
					}
				}
			}
		}
		return retried;
	}

	/** One resource in its own transaction; the failure message, if it failed. */
	private Optional<String> attempt(BatchWork work, long pid, String fhirId) {
		try {
			return transactionService.withSystemRequest().execute(() -> {
				flushAtCommitOnly();
				return Optional.ofNullable(work.run(Map.of(pid, fhirId)).get(pid));
			});
		} catch (RuntimeException e) {
			return Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
		}
	}

	/**
	 * HAPI's reindex looks up the ids of each resource's references with a query, and Hibernate's default AUTO
	 * flush mode dirty-checks every entity of the session before each query. With a batch's resources and all
	 * their index rows in the session that made a batch quadratic: about two thirds of a full reindex's time
	 * went to those flushes. Reindex queries only read resource ids, which a reindex never changes, so the
	 * pending index writes can wait for the commit.
	 */
	private void flushAtCommitOnly() {
		entityManager.unwrap(Session.class).setHibernateFlushMode(FlushMode.COMMIT);
	}

	/**
	 * HAPI's DAO catches a resource it cannot parse or index, marks it INDEXING_FAILED and returns only a
	 * warning (its own job then reports success). Here that is a failed resource.
	 */
	private static Optional<String> failureIn(ReindexOutcome outcome) {
		return HapiTexts.reindexFailure(outcome);
	}

	/** pid to FHIR id of the resources that still exist and are not deleted, in the batch's order. */
	private Map<Long, String> liveResources(List<Long> pids) {
		Map<Long, String> live = new HashMap<>();
		for (List<Long> page : InLists.paddedPages(pids)) {
			live.putAll(resourceTables.liveFhirIds(page));
		}
		Map<Long, String> ordered = new LinkedHashMap<>();
		pids.stream().filter(live::containsKey).forEach(p -> ordered.put(p, live.get(p)));
		return ordered;
	}

	private static void sleepQuietly(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
