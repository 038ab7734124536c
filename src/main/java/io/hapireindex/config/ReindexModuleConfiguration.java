package io.hapireindex.config;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.coordinator.JobDefinitionRegistry;
import ca.uhn.fhir.batch2.model.JobDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.api.svc.IBatch2DaoSvc;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.data.IResourceTableDao;
import ca.uhn.fhir.jpa.cache.ISearchParamIdentityCacheSvc;
import ca.uhn.fhir.jpa.dao.index.DaoSearchParamSynchronizer;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.SearchParamExtraction;
import io.hapireindex.admin.AdminPageInterceptor;
import ca.uhn.fhir.jpa.cache.IResourceTypeCacheSvc;
import ca.uhn.fhir.jpa.sp.ISearchParamPresenceSvc;
import ca.uhn.fhir.jpa.dao.IFulltextSearchSvc;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import io.hapireindex.index.FullRowIndexer;
import io.hapireindex.index.IndexRowMapper;
import io.hapireindex.index.TargetedIndexer;
import io.hapireindex.index.InstanceReindexService;
import io.hapireindex.job.BatchReindexer;
import io.hapireindex.job.IndexRowSnapshots;
import io.hapireindex.job.GenerateScopesStep;
import io.hapireindex.cluster.StalledChunkWatchdog;
import io.hapireindex.job.JobCompletionNudger;
import io.hapireindex.job.ReindexJob;
import io.hapireindex.job.LoadIdsStep;
import io.hapireindex.job.ReindexJobDefinitionFactory;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.job.ReindexStep;
import io.hapireindex.job.SearchParamFreshness;
import io.hapireindex.operation.InstanceReindexOperationProvider;
import io.hapireindex.operation.JobApiInterceptor;
import io.hapireindex.operation.ResponseStatusInterceptor;
import io.hapireindex.operation.StartReindexOperationProvider;
import io.hapireindex.operation.PartitionSelection;
import io.hapireindex.operation.StartRequestParser;
import io.hapireindex.operation.TerminologyReindexOperationProvider;
import io.hapireindex.operation.TerminologyRequestParser;
import io.hapireindex.operation.TypeTerminologyReindexOperationProvider;
import io.hapireindex.operation.TypeStartReindexOperationProvider;
import io.hapireindex.schema.ModuleSchema;
import io.hapireindex.searchparam.SearchParameterChangeListener;
import io.hapireindex.searchparam.SearchParameterReadiness;
import io.hapireindex.searchparam.SearchParameterReadinessInterceptor;
import io.hapireindex.searchparam.SearchParameterReadinessStore;
import io.hapireindex.searchparam.SearchParameterReindexScheduler;
import io.hapireindex.searchparam.SearchParameterStatusProvider;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.terminology.TerminologyStorage;
import ca.uhn.fhir.jpa.term.api.ITermDeferredStorageSvc;
import ca.uhn.fhir.jpa.term.api.ITermReadSvc;
import io.hapireindex.security.ReindexPermission;
import io.hapireindex.security.ReindexPermissionInterceptor;
import io.hapireindex.security.RequiredPermission;
import io.hapireindex.throttle.RequestActivity;
import io.hapireindex.throttle.RequestYield;
import io.hapireindex.throttle.ReindexThrottle;
import io.hapireindex.throttle.WorkerPriority;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import jakarta.persistence.EntityManagerFactory;

/**
 * The module's one configuration entry point. Spring Boot hosts get it through
 * {@link ReindexAutoConfiguration}; plain Spring hosts {@code @Import} it.
 *
 * <p>Every bean name starts with {@code hapiFhirReindex} so nothing clashes with a host that disallows bean
 * overriding (the official starter defines {@code reindexProvider}, {@code jobController}...).
 */
@Configuration(proxyBeanMethods = false)
public class ReindexModuleConfiguration {

	@Bean
	public static RestfulServerRegistrar hapiFhirReindexRestfulServerRegistrar(
			ObjectProvider<RestfulServerRegistrar.ModuleServerParts> parts,
			ObjectProvider<ReindexProperties> properties) {
		return new RestfulServerRegistrar(parts, properties);
	}

	/**
	 * The module's own permission check ({@code required-permission}); off unless configured. A host bean of type
	 * {@link ReindexPermission} replaces it.
	 */
	@Bean
	@org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean(ReindexPermission.class)
	public ReindexPermission hapiFhirReindexPermission(ReindexProperties properties) {
		return new RequiredPermission(properties.getRequiredPermission(), properties.permissionSourceList());
	}

	@Bean
	public ReindexProperties hapiFhirReindexProperties() {
		return new ReindexProperties();
	}

	/** HAPI's extraction service through the type the running HAPI declares (8.6: a class, 8.8: an interface). */
	@Bean
	public SearchParamExtraction hapiFhirReindexSearchParamExtraction(BeanFactory beans) {
		return SearchParamExtraction.from(beans);
	}

	// --- instance level ---

	@Bean
	public IndexRowMapper hapiFhirReindexIndexRowMapper(
			ISearchParamRegistry searchParamRegistry, PartitionSettings partitionSettings) {
		return new IndexRowMapper(searchParamRegistry, partitionSettings);
	}

	@Bean
	public InstanceReindexService hapiFhirReindexInstanceService(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			IHapiTransactionService transactionService,
			IRequestPartitionHelperSvc partitionHelper,
			SearchParamExtraction extractor,
			IJpaStorageResourceParser resourceParser,
			ISearchParamRegistry searchParamRegistry,
			IndexRowMapper rowMapper) {
		return new InstanceReindexService(
				fhirContext,
				daoRegistry,
				transactionService,
				partitionHelper,
				extractor,
				resourceParser,
				searchParamRegistry,
				rowMapper);
	}

	// --- the batch2 job ---

	/** Creates or upgrades the module's tables; every bean that uses them takes it as a parameter so it runs first. */
	@Bean
	public ModuleSchema hapiFhirReindexSchema(DataSource dataSource, ReindexProperties properties) {
		return ModuleSchema.prepare(dataSource, properties.isSchemaAutoMigrate());
	}

	@Bean
	public JobProgressStore hapiFhirReindexProgressStore(DataSource dataSource, ModuleSchema schema) {
		return new JobProgressStore(dataSource);
	}

	@Bean
	public ReindexThrottle hapiFhirReindexThrottle(
			DataSource dataSource, ReindexProperties properties, ModuleSchema schema) {
		return new ReindexThrottle(dataSource, TimeUnit.SECONDS.toMillis(properties.getSlotLeaseSeconds()),
				new WorkerPriority(properties.getWorkerNice()));
	}

	@Bean
	public RequestActivity hapiFhirReindexRequestActivity() {
		return new RequestActivity();
	}

	@Bean
	public RequestYield hapiFhirReindexRequestYield(RequestActivity activity, ReindexProperties properties) {
		return new RequestYield(activity, properties.getRequestYieldPercent());
	}

	@Bean(destroyMethod = "close")
	public JobCompletionNudger hapiFhirReindexCompletionNudger(
			IJobMaintenanceService maintenance, IJobCoordinator coordinator) {
		return new JobCompletionNudger(maintenance, coordinator);
	}

	@Bean
	public IndexRowSnapshots hapiFhirReindexIndexRowSnapshots(
			EntityManagerFactory entityManagerFactory, IndexRowMapper rowMapper) {
		return new IndexRowSnapshots(entityManagerFactory, rowMapper);
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
		return new BatchReindexer(
				daoRegistry,
				systemDao,
				transactionService,
				dataSource,
				properties.getResourceRetries(),
				snapshots,
				targetedIndexer,
				entityManagerFactory,
				fullRowIndexer,
				terminologyStorage,
				requestYield);
	}

	@Bean
	public FullRowIndexer hapiFhirReindexFullRowIndexer(
			IFhirSystemDao<?, ?> systemDao,
			IResourceTableDao resourceTableDao,
			IJpaStorageResourceParser resourceParser,
			SearchParamExtraction extractor,
			DaoSearchParamSynchronizer synchronizer,
			IResourceTypeCacheSvc resourceTypes,
			ISearchParamPresenceSvc presence,
			ISearchParamRegistry searchParamRegistry,
			JpaStorageSettings storageSettings,
			PartitionSettings partitionSettings,
			ObjectProvider<IFulltextSearchSvc> fulltext,
			EntityManagerFactory entityManagerFactory,
			DataSource dataSource) {
		IFulltextSearchSvc fulltextSvc = fulltext.getIfAvailable();
		return new FullRowIndexer(new FullRowIndexer.Parts(
				systemDao,
				resourceTableDao,
				resourceParser,
				extractor,
				synchronizer,
				resourceTypes,
				presence,
				searchParamRegistry,
				storageSettings,
				partitionSettings,
				fulltextSvc != null && !fulltextSvc.isDisabled(),
				entityManagerFactory,
				dataSource));
	}

	@Bean
	public TerminologyStorage hapiFhirReindexTerminologyStorage(
			ITermDeferredStorageSvc deferredStorage,
			ITermReadSvc termReadSvc,
			JpaStorageSettings storageSettings,
			IJobMaintenanceService maintenance,
			DataSource dataSource) {
		return new TerminologyStorage(
				deferredStorage, termReadSvc, storageSettings, maintenance, dataSource, TimeUnit.MINUTES.toMillis(30));
	}

	@Bean
	public TargetedIndexer hapiFhirReindexTargetedIndexer(
			IFhirSystemDao<?, ?> systemDao,
			IJpaStorageResourceParser resourceParser,
			SearchParamExtraction extractor,
			ISearchParamIdentityCacheSvc identityCache,
			ISearchParamRegistry searchParamRegistry,
			PartitionSettings partitionSettings,
			JpaStorageSettings storageSettings,
			ISearchParamExtractor valueExtractor,
			IInterceptorBroadcaster interceptors,
			EntityManagerFactory entityManagerFactory,
			DataSource dataSource) {
		return new TargetedIndexer(new TargetedIndexer.Parts(
				systemDao,
				resourceParser,
				extractor,
				identityCache,
				searchParamRegistry,
				partitionSettings,
				storageSettings,
				valueExtractor,
				interceptors,
				entityManagerFactory,
				dataSource));
	}

	@Bean
	public JobDefinition<ReindexJobParameters> hapiFhirReindexJobDefinition(
			JobProgressStore progress,
			DataSource dataSource,
			PartitionSettings partitionSettings,
			IBatch2DaoSvc batch2DaoSvc,
			BatchReindexer reindexer,
			ReindexThrottle throttle,
			JobCompletionNudger nudger,
			ISearchParamRegistry searchParamRegistry,
			StalledChunkWatchdog watchdog,
			SearchParameterReadiness readiness) {
		SearchParamFreshness freshness = new SearchParamFreshness(searchParamRegistry);
		return ReindexJobDefinitionFactory.create(
				new GenerateScopesStep(progress, watchdog),
				new LoadIdsStep(dataSource, partitionSettings, batch2DaoSvc, progress, freshness, watchdog, readiness),
				new ReindexStep(reindexer, progress, throttle, nudger, freshness, watchdog));
	}

	@Bean(destroyMethod = "close")
	public StalledChunkWatchdog hapiFhirReindexStalledChunkWatchdog(
			DataSource dataSource,
			ModuleSchema schema,
			IJobMaintenanceService maintenance,
			ReindexThrottle throttle,
			JobProgressStore progress,
			ReindexProperties properties) {
		return new StalledChunkWatchdog(
				dataSource, maintenance, ReindexJob.JOB_DEFINITION_ID, TimeUnit.SECONDS.toMillis(properties.getNodeLeaseSeconds()));
	}

	@Bean
	public ReindexJobService hapiFhirReindexJobService(
			IJobCoordinator coordinator,
			JobProgressStore progress,
			JobCompletionNudger nudger,
			SearchParameterReadiness readiness) {
		ReindexJobService jobs = new ReindexJobService(coordinator, progress, nudger);
		jobs.addListener(readiness);
		return jobs;
	}

	@Bean
	public PartitionSelection hapiFhirReindexPartitionSelection(
			PartitionSettings partitionSettings, IPartitionLookupSvc partitionLookup) {
		return new PartitionSelection(partitionSettings, partitionLookup);
	}

	@Bean
	public StartRequestParser hapiFhirReindexStartRequestParser(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			MatchUrlService matchUrlService,
			ISearchParamRegistry searchParamRegistry,
			PartitionSelection partitions,
			ReindexProperties properties) {
		return new StartRequestParser(fhirContext, daoRegistry, matchUrlService, searchParamRegistry, partitions, properties);
	}

	// --- search parameter changes ---

	@Bean
	public SearchParameterReadiness hapiFhirReindexSearchParameterReadiness(
			DataSource dataSource,
			ModuleSchema schema,
			IJobCoordinator coordinator,
			JobProgressStore progress,
			JobCompletionNudger nudger,
			DaoRegistry daoRegistry,
			ISearchParamRegistry searchParamRegistry) {
		SearchParameterReadiness readiness = new SearchParameterReadiness(
				new SearchParameterReadinessStore(dataSource), coordinator, progress, daoRegistry, searchParamRegistry, dataSource);
		nudger.addListener(readiness);
		return readiness;
	}

	@Bean(destroyMethod = "close")
	public SearchParameterReindexScheduler hapiFhirReindexSearchParameterScheduler(
			ReindexJobService jobs,
			ISearchParamRegistry searchParamRegistry,
			DaoRegistry daoRegistry,
			ReindexProperties properties) {
		return new SearchParameterReindexScheduler(
				jobs,
				searchParamRegistry,
				daoRegistry,
				properties.getSearchParameterReindexWindowMillis(),
				properties.getDefaultBatchSize(),
				properties.getDefaultMaximumConcurrency());
	}

	/**
	 * Records readiness in both modes; starts jobs only in mode "auto". In mode "off" HAPI's own behaviour on
	 * SearchParameter writes stays.
	 */
	@Bean(destroyMethod = "close")
	public SearchParameterChangeListener hapiFhirReindexSearchParameterListener(
			FhirContext fhirContext,
			SearchParameterReindexScheduler scheduler,
			SearchParameterReadiness readiness,
			IInterceptorService storageInterceptors,
			JpaStorageSettings storageSettings,
			ReindexProperties properties) {
		if (!properties.isAutomaticSearchParameterReindex()) {
			return new SearchParameterChangeListener(fhirContext, null, readiness, storageInterceptors);
		}
		// one targeted job of the module replaces HAPI's full REINDEX job per changed parameter
		storageSettings.setMarkResourcesForReindexingUponSearchParameterChange(false);
		return new SearchParameterChangeListener(fhirContext, scheduler, readiness, storageInterceptors);
	}

	// --- what goes on the host's RestfulServer ---

	@Bean
	public RestfulServerRegistrar.ModuleServerParts hapiFhirReindexServerParts(
			InstanceReindexService instanceService,
			StartRequestParser parser,
			ReindexJobService jobs,
			IRequestPartitionHelperSvc partitionHelper,
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			IJobCoordinator coordinator,
			JobDefinitionRegistry jobDefinitions,
			JobProgressStore progress,
			PartitionSettings partitionSettings,
			PartitionSelection partitions,
			SearchParameterReadiness readiness,
			ReindexProperties properties,
			ReindexPermission permission,
			RequestActivity requestActivity) {
		List<Object> providers = new ArrayList<>();
		providers.add(new InstanceReindexOperationProvider(instanceService));
		providers.add(new StartReindexOperationProvider(parser, jobs, partitionHelper, fhirContext));
		for (String type : new TreeSet<>(daoRegistry.getRegisteredDaoTypes())) {
			providers.add(new TypeStartReindexOperationProvider(
					fhirContext.getResourceDefinition(type).getImplementingClass(), parser, jobs, partitionHelper, fhirContext));
		}
		TerminologyRequestParser terminologyParser = new TerminologyRequestParser(daoRegistry, partitions);
		providers.add(new TerminologyReindexOperationProvider(terminologyParser, jobs, partitionHelper, fhirContext));
		for (String type : new TreeSet<>(TerminologyStorage.TYPES)) {
			if (daoRegistry.isResourceTypeSupported(type)) {
				providers.add(new TypeTerminologyReindexOperationProvider(
						fhirContext.getResourceDefinition(type).getImplementingClass(), terminologyParser, jobs, partitionHelper, fhirContext));
			}
		}
		providers.add(new SearchParameterStatusProvider(
				fhirContext.getResourceDefinition("SearchParameter").getImplementingClass(), readiness, daoRegistry));
		List<Object> interceptors = new ArrayList<>(List.of(
				new ReindexPermissionInterceptor(permission),
				new ResponseStatusInterceptor(),
				new JobApiInterceptor(jobs),
				new SearchParameterReadinessInterceptor(readiness, properties),
				requestActivity));
		if (properties.isAdminPageEnabled()) {
			interceptors.add(AdminPageInterceptor.create(
					properties.getAdminPagePath(),
					partitionSettings.isPartitioningEnabled(),
					coordinator,
					jobDefinitions,
					progress,
					parser,
					jobs,
					partitionHelper));
		}
		return new RestfulServerRegistrar.ModuleServerParts(providers, interceptors);
	}
}
