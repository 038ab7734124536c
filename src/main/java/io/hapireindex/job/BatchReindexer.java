package io.hapireindex.job;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import io.hapireindex.hapi.ResourceTables;
import io.hapireindex.index.FullRowIndexer;
import io.hapireindex.index.TargetedIndexer;
import io.hapireindex.terminology.TerminologyStorage;
import io.hapireindex.throttle.RequestYield;
import jakarta.persistence.EntityManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.orm.jpa.SharedEntityManagerCreator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reindexes one batch of resources of one type, in this order: the resources still there ({@link LiveResources}),
 * the way to reindex them ({@link BatchStrategy}), the work in transactions with bounded retries
 * ({@link BatchAttempts}), for a {@code $terminology-reindex} batch inside a pause and settle of HAPI's deferred
 * terminology work ({@link TerminologyRebuild}), then resources that vanished meanwhile taken out of the failures and
 * the changed resources counted.
 *
 * <p>CodeSystem, ValueSet and ConceptMap: HAPI's reindex of these rebuilds their terminology storage as a side
 * effect (all concepts re-stored as a new code system version...). A reindex job only recomputes their index
 * rows; a {@code $terminology-reindex} job wants exactly that side effect.
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

	private final LiveResources liveResources;
	private final BatchStrategy.Chooser strategies;
	private final BatchAttempts attempts;
	private final TerminologyRebuild terminology;

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
		this.liveResources = new LiveResources(new ResourceTables(dataSource));
		this.strategies = new BatchStrategy.Chooser(
				daoRegistry, systemDao, snapshots, targetedIndexer, fullRowIndexer, requestYield);
		this.attempts = new BatchAttempts(
				transactionService,
				SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory),
				retries,
				requestYield);
		this.terminology = new TerminologyRebuild(terminologyStorage);
	}

	public Result reindex(String jobId, String resourceType, List<Long> pids, ReindexJobParameters job) {
		Map<Long, String> live = liveResources.of(pids);
		int skipped = pids.size() - live.size();
		BatchStrategy strategy = strategies.choose(resourceType, job);

		Map<String, String> failures = new LinkedHashMap<>();
		int retried = TerminologyRebuild.applies(job, resourceType)
				? terminology.around(jobId, resourceType, live, failures,
						() -> attempts.run(jobId, resourceType, live, strategy.work(), failures))
				: attempts.run(jobId, resourceType, live, strategy.work(), failures);

		int vanished = liveResources.dropVanished(resourceType, live, failures);
		skipped += vanished;
		failures.forEach((id, message) -> LOG.warn("Reindex job {}: {} failed: {}", jobId, id, message));

		int changed = strategy.changed(resourceType, live, failures);
		return new Result(live.size() - vanished - failures.size(), skipped, failures, retried, changed);
	}
}
