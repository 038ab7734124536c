package io.hapireindex.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.jpa.cache.IResourceTypeCacheSvc;
import ca.uhn.fhir.jpa.cache.ISearchParamIdentityCacheSvc;
import ca.uhn.fhir.jpa.dao.IFulltextSearchSvc;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.data.IResourceTableDao;
import ca.uhn.fhir.jpa.dao.index.DaoSearchParamSynchronizer;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.jpa.sp.ISearchParamPresenceSvc;
import ca.uhn.fhir.jpa.term.api.ITermDeferredStorageSvc;
import ca.uhn.fhir.jpa.term.api.ITermReadSvc;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.SearchParamExtraction;
import io.hapireindex.hapi.SearchParamUrls;
import io.hapireindex.index.FullRowIndexer;
import io.hapireindex.index.IndexRowMapper;
import io.hapireindex.index.InstanceReindexService;
import io.hapireindex.index.TargetedIndexer;
import io.hapireindex.terminology.TerminologyStorage;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * How index rows are written: one resource in a request (instance {@code $reindex}), pages of resources in a job
 * (every row, or only the rows of some search parameters), and terminology storage. The HTTP side and the job use it.
 */
@AutoConfiguration(value = "hapiFhirReindexIndexingAutoConfiguration", after = ModuleStartupAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
public class IndexingAutoConfiguration {

	/** HAPI's extraction service through the type the running HAPI declares (8.6: a class, 8.8: an interface). */
	@Bean
	public SearchParamExtraction hapiFhirReindexSearchParamExtraction(BeanFactory beans) {
		return SearchParamExtraction.from(beans);
	}

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
		return new InstanceReindexService(fhirContext, daoRegistry, transactionService, partitionHelper, extractor,
				resourceParser, searchParamRegistry, rowMapper);
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
		return new FullRowIndexer(new FullRowIndexer.Parts(systemDao, resourceTableDao, resourceParser, extractor,
				synchronizer, resourceTypes, presence, searchParamRegistry, storageSettings, partitionSettings,
				fulltextSvc != null && !fulltextSvc.isDisabled(), entityManagerFactory, dataSource));
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
			DataSource dataSource,
			DaoRegistry daoRegistry) {
		return new TargetedIndexer(new TargetedIndexer.Parts(systemDao, resourceParser, extractor, identityCache,
				searchParamRegistry, partitionSettings, storageSettings, valueExtractor, interceptors,
				entityManagerFactory, dataSource, new SearchParamUrls(daoRegistry)));
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
}
