package io.hapireindex.config;

import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.term.api.ITermDeferredStorageSvc;
import ca.uhn.fhir.jpa.term.api.ITermReadSvc;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.SearchParamExtraction;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import io.hapireindex.hapi.SearchParamUrls;
import io.hapireindex.index.FullRowIndexer;
import io.hapireindex.index.IndexRowMapper;
import io.hapireindex.index.InstanceReindexService;
import io.hapireindex.index.TargetedIndexer;
import io.hapireindex.terminology.TerminologyStorage;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * How index rows are written: one resource in a request (instance {@code $reindex}), pages of resources in a job
 * (every row, or only the rows of some search parameters), and terminology storage. The HTTP side and the job use it.
 */
@AutoConfiguration(value = "hapiFhirReindexIndexingAutoConfiguration", after = ModuleStartupAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
// built by Spring from the beans their constructors name (a bean method would only list the same parameters
// again), under the prefixed names their @Component gives: a host sees only hapiFhirReindex* beans of the module
@Import({InstanceReindexService.class, FullRowIndexer.Parts.class, TargetedIndexer.Parts.class})
public class IndexingAutoConfiguration {

	/** HAPI's extraction service through the type the running HAPI declares (8.6: a class, 8.8: an interface). */
	@Bean
	public SearchParamExtraction hapiFhirReindexSearchParamExtraction(BeanFactory beans) {
		return SearchParamExtraction.from(beans);
	}

	/** A parameter's canonical URL, also on DSTU3, where HAPI's registry leaves custom parameters' uri empty. */
	@Bean
	public SearchParamUrls hapiFhirReindexSearchParamUrls(DaoRegistry daoRegistry) {
		return new SearchParamUrls(daoRegistry);
	}

	@Bean
	public IndexRowMapper hapiFhirReindexIndexRowMapper(
			ISearchParamRegistry searchParamRegistry, PartitionSettings partitionSettings) {
		return new IndexRowMapper(searchParamRegistry, partitionSettings);
	}

	@Bean
	public FullRowIndexer hapiFhirReindexFullRowIndexer(FullRowIndexer.Parts parts) {
		return new FullRowIndexer(parts);
	}

	@Bean
	public TargetedIndexer hapiFhirReindexTargetedIndexer(TargetedIndexer.Parts parts) {
		return new TargetedIndexer(parts);
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
