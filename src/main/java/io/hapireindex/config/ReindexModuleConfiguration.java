package io.hapireindex.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractorSvc;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.index.IndexRowMapper;
import io.hapireindex.index.InstanceReindexService;
import io.hapireindex.operation.InstanceReindexOperationProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

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
			ObjectProvider<RestfulServerRegistrar.ModuleProviders> providers,
			ObjectProvider<ReindexProperties> properties) {
		return new RestfulServerRegistrar(providers, properties);
	}

	@Bean
	public ReindexProperties hapiFhirReindexProperties() {
		return new ReindexProperties();
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
			ISearchParamExtractorSvc extractor,
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

	@Bean
	public RestfulServerRegistrar.ModuleProviders hapiFhirReindexProviders(InstanceReindexService instanceService) {
		return new RestfulServerRegistrar.ModuleProviders(List.of(new InstanceReindexOperationProvider(instanceService)));
	}
}
