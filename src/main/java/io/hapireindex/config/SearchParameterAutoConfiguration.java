package io.hapireindex.config;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.SearchParamUrls;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.schema.ModuleSchema;
import io.hapireindex.searchparam.SearchParameterChangeListener;
import io.hapireindex.searchparam.SearchParameterReadiness;
import io.hapireindex.searchparam.SearchParameterReadinessInterceptor;
import io.hapireindex.searchparam.SearchParameterReadinessStore;
import io.hapireindex.searchparam.SearchParameterReindexScheduler;
import io.hapireindex.searchparam.SearchParameterStatusProvider;
import io.hapireindex.status.JobProgressStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;

import javax.sql.DataSource;

/**
 * SearchParameter automation and readiness: the readiness of every custom search parameter (kept in the database,
 * read by {@code $status}, searches and the CapabilityStatement), and in mode {@code search-parameter-reindex=auto}
 * one targeted job per burst of SearchParameter changes instead of HAPI's REINDEX per change.
 */
@AutoConfiguration(value = "hapiFhirReindexSearchParameterAutoConfiguration", after = ReindexJobAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
public class SearchParameterAutoConfiguration {

	@Bean
	public SearchParameterReadinessStore hapiFhirReindexSearchParameterReadinessStore(
			DataSource dataSource, ModuleSchema schema) {
		return new SearchParameterReadinessStore(dataSource);
	}

	/** Also a job listener (a job's end settles its parameters) and the job's source of parameters not yet indexed. */
	@Bean
	public SearchParameterReadiness hapiFhirReindexSearchParameterReadiness(
			SearchParameterReadinessStore store,
			DataSource dataSource,
			IJobCoordinator coordinator,
			JobProgressStore progress,
			DaoRegistry daoRegistry,
			ISearchParamRegistry searchParamRegistry,
			SearchParamUrls searchParamUrls) {
		return new SearchParameterReadiness(
				store, coordinator, progress, daoRegistry, searchParamRegistry, searchParamUrls, dataSource);
	}

	@Bean
	public SearchParameterReindexScheduler hapiFhirReindexSearchParameterScheduler(
			ReindexJobService jobs,
			ISearchParamRegistry searchParamRegistry,
			DaoRegistry daoRegistry,
			ReindexProperties properties) {
		return new SearchParameterReindexScheduler(jobs, searchParamRegistry, daoRegistry,
				properties.getSearchParameterReindexWindowMillis(), properties.getDefaultBatchSize(),
				properties.getDefaultMaximumConcurrency());
	}

	/**
	 * Records readiness in both modes; starts jobs only in mode "auto", where it also turns off HAPI's own REINDEX per
	 * changed parameter when it starts (logged). In mode "off" HAPI's behaviour on SearchParameter writes stays.
	 */
	@Bean
	public SearchParameterChangeListener hapiFhirReindexSearchParameterListener(
			FhirContext fhirContext,
			SearchParameterReindexScheduler scheduler,
			SearchParameterReadiness readiness,
			IInterceptorService storageInterceptors,
			JpaStorageSettings storageSettings,
			ReindexProperties properties) {
		return new SearchParameterChangeListener(fhirContext,
				properties.isAutomaticSearchParameterReindex() ? scheduler : null, readiness, storageInterceptors,
				storageSettings);
	}

	@Bean
	@Lazy
	@ServerProvider
	public SearchParameterStatusProvider hapiFhirReindexSearchParameterStatusProvider(
			FhirContext fhirContext, SearchParameterReadiness readiness, DaoRegistry daoRegistry) {
		return new SearchParameterStatusProvider(
				fhirContext.getResourceDefinition("SearchParameter").getImplementingClass(), readiness, daoRegistry);
	}

	@Bean
	@Lazy
	@ServerInterceptor(order = 40)
	public SearchParameterReadinessInterceptor hapiFhirReindexSearchParameterReadinessInterceptor(
			SearchParameterReadiness readiness, ReindexProperties properties) {
		return new SearchParameterReadinessInterceptor(readiness, properties::isStrictSearchParameterReadiness);
	}
}
