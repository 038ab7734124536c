package io.hapireindex.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.SearchParamUrls;
import io.hapireindex.index.InstanceReindexService;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.operation.InstanceReindexOperationProvider;
import io.hapireindex.operation.PartitionSelection;
import io.hapireindex.operation.ResponseStatusInterceptor;
import io.hapireindex.operation.StartReindexOperationProvider;
import io.hapireindex.operation.StartRequestParser;
import io.hapireindex.operation.TerminologyReindexOperationProvider;
import io.hapireindex.operation.TerminologyRequestParser;
import io.hapireindex.operation.TypeStartReindexOperationProvider;
import io.hapireindex.operation.TypeTerminologyReindexOperationProvider;
import io.hapireindex.security.ReindexPermission;
import io.hapireindex.security.ReindexPermissionInterceptor;
import io.hapireindex.security.RequiredPermission;
import io.hapireindex.terminology.TerminologyStorage;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;

import java.util.List;
import java.util.TreeSet;

/**
 * The FHIR operations: instance {@code $reindex} / {@code $reindex-dryrun}, server and type {@code $reindex} and
 * {@code $terminology-reindex} (each starts a job), with the request parsing they share and the module's own
 * permission check in front of them.
 */
@AutoConfiguration(value = "hapiFhirReindexOperationsAutoConfiguration", after = ReindexJobAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
public class ReindexOperationsAutoConfiguration {

	/** {@code required-permission}; off unless configured. A host bean of type {@link ReindexPermission} replaces it. */
	@Bean
	@ConditionalOnMissingBean(ReindexPermission.class)
	public ReindexPermission hapiFhirReindexPermission(ReindexProperties properties) {
		return new RequiredPermission(properties.getRequiredPermission(), properties.permissionSourceList());
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
			SearchParamUrls searchParamUrls,
			ReindexProperties properties) {
		return new StartRequestParser(fhirContext, daoRegistry, matchUrlService, searchParamRegistry, partitions,
				searchParamUrls,
				new StartRequestParser.Defaults(properties.getDefaultBatchSize(), properties.getDefaultMaximumConcurrency()));
	}

	@Bean
	public TerminologyRequestParser hapiFhirReindexTerminologyRequestParser(
			DaoRegistry daoRegistry, PartitionSelection partitions) {
		return new TerminologyRequestParser(daoRegistry, partitions);
	}

	@Bean
	@Lazy
	@ServerProvider
	public InstanceReindexOperationProvider hapiFhirReindexInstanceProvider(InstanceReindexService instanceService) {
		return new InstanceReindexOperationProvider(instanceService);
	}

	@Bean
	@Lazy
	@ServerProvider
	public StartReindexOperationProvider hapiFhirReindexStartProvider(StartRequestParser parser, ReindexJobService jobs,
			IRequestPartitionHelperSvc partitionHelper, FhirContext fhirContext) {
		return new StartReindexOperationProvider(parser, jobs, partitionHelper, fhirContext);
	}

	/** Type-level {@code $reindex}: one provider per resource type the server stores. */
	@Bean
	@Lazy
	@ServerProvider
	public ServerProviderGroup hapiFhirReindexTypeStartProviders(StartRequestParser parser, ReindexJobService jobs,
			IRequestPartitionHelperSvc partitionHelper, FhirContext fhirContext, DaoRegistry daoRegistry) {
		return new ServerProviderGroup(new TreeSet<>(daoRegistry.getRegisteredDaoTypes()).stream()
				.map(type -> (Object) new TypeStartReindexOperationProvider(
						fhirContext.getResourceDefinition(type).getImplementingClass(), parser, jobs, partitionHelper, fhirContext))
				.toList());
	}

	@Bean
	@Lazy
	@ServerProvider
	public TerminologyReindexOperationProvider hapiFhirReindexTerminologyProvider(TerminologyRequestParser parser,
			ReindexJobService jobs, IRequestPartitionHelperSvc partitionHelper, FhirContext fhirContext) {
		return new TerminologyReindexOperationProvider(parser, jobs, partitionHelper, fhirContext);
	}

	/** Type-level {@code $terminology-reindex} on the terminology types the server stores. */
	@Bean
	@Lazy
	@ServerProvider
	public ServerProviderGroup hapiFhirReindexTypeTerminologyProviders(TerminologyRequestParser parser,
			ReindexJobService jobs, IRequestPartitionHelperSvc partitionHelper, FhirContext fhirContext, DaoRegistry daoRegistry) {
		List<Object> providers = new TreeSet<>(TerminologyStorage.TYPES).stream()
				.filter(daoRegistry::isResourceTypeSupported)
				.map(type -> (Object) new TypeTerminologyReindexOperationProvider(
						fhirContext.getResourceDefinition(type).getImplementingClass(), parser, jobs, partitionHelper, fhirContext))
				.toList();
		return new ServerProviderGroup(providers);
	}

	@Bean
	@Lazy
	@ServerInterceptor(order = 10)
	public ReindexPermissionInterceptor hapiFhirReindexPermissionInterceptor(ReindexPermission permission) {
		return new ReindexPermissionInterceptor(permission);
	}

	@Bean
	@Lazy
	@ServerInterceptor(order = 20)
	public ResponseStatusInterceptor hapiFhirReindexResponseStatusInterceptor() {
		return new ResponseStatusInterceptor();
	}
}
