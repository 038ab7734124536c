package io.hapireindex.config;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.model.JobDefinition;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.api.svc.IBatch2DaoSvc;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.cluster.StalledChunkWatchdog;
import io.hapireindex.index.FullRowIndexer;
import io.hapireindex.index.TargetedIndexer;
import io.hapireindex.job.BatchReindexer;
import io.hapireindex.job.GenerateScopesStep;
import io.hapireindex.job.IndexRowSnapshots;
import io.hapireindex.job.JobCompletionNudger;
import io.hapireindex.job.LoadIdsStep;
import io.hapireindex.job.ReindexJobDefinitionFactory;
import io.hapireindex.job.ReindexJobListener;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.job.ReindexStep;
import io.hapireindex.job.SearchParamFreshness;
import io.hapireindex.job.UnindexedParameters;
import io.hapireindex.index.IndexRowMapper;
import io.hapireindex.schema.ModuleSchema;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.terminology.TerminologyStorage;
import io.hapireindex.throttle.ReindexThrottle;
import io.hapireindex.throttle.RequestYield;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;

/**
 * The core: the batch2 job {@code HAPI_FHIR_REINDEX_MODULE} (its three steps, each a bean), the service that starts,
 * reads and cancels its instances, and what the steps share (progress, the completion nudger, the batch reindexer).
 */
@AutoConfiguration(
		value = "hapiFhirReindexJobAutoConfiguration",
		after = {SchemaAutoConfiguration.class, IndexingAutoConfiguration.class, ThrottleAutoConfiguration.class,
				ClusterAutoConfiguration.class})
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
public class ReindexJobAutoConfiguration {

	@Bean
	public JobProgressStore hapiFhirReindexProgressStore(DataSource dataSource, ModuleSchema schema) {
		return new JobProgressStore(dataSource);
	}

	/** Listeners are read when a job ends, so the readiness that listens may itself use the job service. */
	@Bean
	public JobCompletionNudger hapiFhirReindexCompletionNudger(
			IJobMaintenanceService maintenance, IJobCoordinator coordinator, ObjectProvider<ReindexJobListener> listeners) {
		return new JobCompletionNudger(maintenance, coordinator, listeners);
	}

	@Bean
	public IndexRowSnapshots hapiFhirReindexIndexRowSnapshots(
			EntityManagerFactory entityManagerFactory, IndexRowMapper rowMapper) {
		return new IndexRowSnapshots(entityManagerFactory, rowMapper);
	}

	@Bean
	public SearchParamFreshness hapiFhirReindexSearchParamFreshness(ISearchParamRegistry searchParamRegistry) {
		return new SearchParamFreshness(searchParamRegistry);
	}

	@Bean
	public BatchReindexer hapiFhirReindexBatchReindexer(
			DaoRegistry daoRegistry,
			IFhirSystemDao<?, ?> systemDao,
			IHapiTransactionService transactionService,
			DataSource dataSource,
			ReindexProperties properties,
			IndexRowSnapshots snapshots,
			TargetedIndexer targetedIndexer,
			EntityManagerFactory entityManagerFactory,
			FullRowIndexer fullRowIndexer,
			TerminologyStorage terminologyStorage,
			RequestYield requestYield) {
		return new BatchReindexer(daoRegistry, systemDao, transactionService, dataSource,
				properties.getResourceRetries(), snapshots, targetedIndexer, entityManagerFactory, fullRowIndexer,
				terminologyStorage, requestYield);
	}

	@Bean
	public GenerateScopesStep hapiFhirReindexGenerateScopesStep(JobProgressStore progress, StalledChunkWatchdog watchdog) {
		return new GenerateScopesStep(progress, watchdog);
	}

	@Bean
	public LoadIdsStep hapiFhirReindexLoadIdsStep(
			DataSource dataSource,
			PartitionSettings partitionSettings,
			IBatch2DaoSvc batch2DaoSvc,
			JobProgressStore progress,
			SearchParamFreshness freshness,
			StalledChunkWatchdog watchdog,
			UnindexedParameters unindexed) {
		return new LoadIdsStep(dataSource, partitionSettings, batch2DaoSvc, progress, freshness, watchdog, unindexed);
	}

	@Bean
	public ReindexStep hapiFhirReindexStep(
			BatchReindexer reindexer,
			JobProgressStore progress,
			ReindexThrottle throttle,
			JobCompletionNudger nudger,
			SearchParamFreshness freshness,
			StalledChunkWatchdog watchdog) {
		return new ReindexStep(reindexer, progress, throttle, nudger, freshness, watchdog);
	}

	@Bean
	public JobDefinition<ReindexJobParameters> hapiFhirReindexJobDefinition(
			GenerateScopesStep generateScopes, LoadIdsStep loadIds, ReindexStep reindex) {
		return ReindexJobDefinitionFactory.create(generateScopes, loadIds, reindex);
	}

	@Bean
	public ReindexJobService hapiFhirReindexJobService(
			IJobCoordinator coordinator,
			JobProgressStore progress,
			JobCompletionNudger nudger,
			ObjectProvider<ReindexJobListener> listeners) {
		return new ReindexJobService(coordinator, progress, nudger, listeners);
	}
}
