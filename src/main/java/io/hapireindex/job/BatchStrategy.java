package io.hapireindex.job;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.api.dao.ReindexOutcome;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.hapireindex.hapi.HapiTexts;
import io.hapireindex.index.FullRowIndexer;
import io.hapireindex.index.TargetedIndexer;
import io.hapireindex.terminology.TerminologyStorage;
import io.hapireindex.throttle.RequestYield;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How one batch is reindexed, chosen from the job and the resource type, and how its changed resources are counted.
 *
 * <p>A targeted job recomputes only its parameters' rows ({@link TargetedIndexer}) when that is possible. A full
 * reindex recomputes every row with HAPI's extractor and synchronizer ({@link FullRowIndexer}), so the rows written
 * are exactly HAPI's; where that path does not cover the server's setup (fulltext indexing, storage options,
 * SearchParameter resources) it uses HAPI's own {@link IFhirResourceDao#reindex}.
 */
final class BatchStrategy {

	private final BatchWork work;
	/** Resources whose index rows the work added or removed (every attempt, also ones that rolled back). */
	private final Set<Long> changed;
	private final Counting counting;

	private enum Counting {
		/** The row writers report exactly what they changed, and write nothing for a failed resource. */
		WRITTEN,
		/** Snapshots around HAPI's reindex: a resource that failed in the end counts as unchanged. */
		SNAPSHOT,
		/** HAPI's reindex without search parameters changes no index row. */
		NONE
	}

	private BatchStrategy(BatchWork work, Set<Long> changed, Counting counting) {
		this.work = work;
		this.changed = changed;
		this.counting = counting;
	}

	BatchWork work() {
		return work;
	}

	/** How many resources of the batch had index rows added or removed. */
	int changed(String resourceType, Map<Long, String> live, Map<String, String> failures) {
		return switch (counting) {
			case WRITTEN -> changed.size();
			case SNAPSHOT -> (int) changed.stream()
					.filter(pid -> live.containsKey(pid) && !failures.containsKey(resourceType + "/" + live.get(pid)))
					.count();
			case NONE -> 0;
		};
	}

	/** Chooses the strategy of each batch; holds what the strategies use. */
	record Chooser(
			DaoRegistry daoRegistry,
			IFhirSystemDao<?, ?> systemDao,
			IndexRowSnapshots snapshots,
			TargetedIndexer targetedIndexer,
			FullRowIndexer fullRowIndexer,
			RequestYield requestYield) {

		BatchStrategy choose(String resourceType, ReindexJobParameters job) {
			ReindexParameters parameters = job.toHapiParameters();
			Set<String> targetNames =
					rowOnly(job) ? targetedIndexer.targetNames(resourceType, job.searchParameterUrls()) : null;

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

			Set<Long> changed = new HashSet<>();
			if (targetNames != null) {
				return new BatchStrategy(resources -> {
					changed.addAll(targetedIndexer.reindexBatch(
							resourceType, resources.keySet(), targetNames, job.optimisticLock(), requestYield::pause));
					return Map.of();
				}, changed, Counting.WRITTEN);
			}
			if (rowsOnly) {
				IFhirResourceDao<?> dao = daoRegistry.getResourceDao(resourceType);
				// storage options (terminology types only get here with them) still go to HAPI, with its
				// re-indexing, and so its terminology side effect, off
				ReindexParameters storageOnly = job.toHapiParameters()
						.setReindexSearchParameters(ReindexParameters.ReindexSearchParametersEnum.NONE);
				return new BatchStrategy(resources -> {
					FullRowIndexer.Outcome outcome = fullRowIndexer.reindexBatch(
							resources.keySet(), job.optimisticLock(), requestYield::pause);
					changed.addAll(outcome.changed());
					Map<Long, String> failed = new HashMap<>(outcome.failed());
					if (storageWork) {
						TransactionDetails tx = new TransactionDetails();
						for (Long pid : resources.keySet()) {
							failureIn(dao.reindex(JpaPid.fromId(pid), storageOnly, new SystemRequestDetails(), tx))
									.ifPresent(m -> failed.putIfAbsent(pid, m));
						}
					}
					return failed;
				}, changed, Counting.WRITTEN);
			}
			if (parameters.getReindexSearchParameters() != ReindexParameters.ReindexSearchParametersEnum.NONE) {
				return new BatchStrategy(resources -> {
					IndexRowSnapshots.Snapshot before = snapshots.take(resourceType, resources.keySet());
					Map<Long, String> failed =
							fullReindex(daoRegistry.getResourceDao(resourceType), resources, parameters);
					changed.addAll(before.changedIn(snapshots.take(resourceType, resources.keySet())));
					return failed;
				}, changed, Counting.SNAPSHOT);
			}
			return new BatchStrategy(
					resources -> fullReindex(daoRegistry.getResourceDao(resourceType), resources, parameters),
					changed,
					Counting.NONE);
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

		/**
		 * HAPI's DAO catches a resource it cannot parse or index, marks it INDEXING_FAILED and returns only a
		 * warning (its own job then reports success). Here that is a failed resource.
		 */
		private static Optional<String> failureIn(ReindexOutcome outcome) {
			return HapiTexts.reindexFailure(outcome);
		}
	}
}
