package io.hapireindex.config;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.coordinator.JobDefinitionRegistry;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import io.hapireindex.admin.AdminPageInterceptor;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.operation.StartRequestParser;
import io.hapireindex.status.JobProgressStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;

/** The operators' batch job page and its JSON API at {@code [base]/{admin-page-path}/}; off with {@code admin-page-enabled=false}. */
@AutoConfiguration(value = "hapiFhirReindexAdminPageAutoConfiguration", after = ReindexOperationsAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
@ConditionalOnProperty(prefix = ReindexProperties.PREFIX, name = "admin-page-enabled", havingValue = "true", matchIfMissing = true)
public class AdminPageAutoConfiguration {

	@Bean
	@Lazy
	@ServerInterceptor(order = 60)
	public AdminPageInterceptor hapiFhirReindexAdminPageInterceptor(
			ReindexProperties properties,
			PartitionSettings partitionSettings,
			IJobCoordinator coordinator,
			JobDefinitionRegistry jobDefinitions,
			JobProgressStore progress,
			StartRequestParser parser,
			ReindexJobService jobs,
			IRequestPartitionHelperSvc partitionHelper) {
		return AdminPageInterceptor.create(properties.getAdminPagePath(), partitionSettings.isPartitioningEnabled(),
				coordinator, jobDefinitions, progress, parser, jobs, partitionHelper);
	}
}
