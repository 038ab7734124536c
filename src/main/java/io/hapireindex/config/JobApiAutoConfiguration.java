package io.hapireindex.config;

import io.hapireindex.job.ReindexJobService;
import io.hapireindex.operation.JobApiInterceptor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;

/** Azure's job API under the FHIR base: list, status, cancel and {@code $restart} of the module's jobs. */
@AutoConfiguration(value = "hapiFhirReindexJobApiAutoConfiguration", after = ReindexJobAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
public class JobApiAutoConfiguration {

	@Bean
	@Lazy
	@ServerInterceptor(order = 30)
	public JobApiInterceptor hapiFhirReindexJobApiInterceptor(ReindexJobService jobs) {
		return new JobApiInterceptor(jobs);
	}
}
