package io.hapireindex.config;

import io.hapireindex.schema.ModuleSchema;
import io.hapireindex.throttle.ReindexThrottle;
import io.hapireindex.throttle.RequestActivity;
import io.hapireindex.throttle.RequestYield;
import io.hapireindex.throttle.WorkerPriority;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * How hard a job may press: cluster-wide concurrency slots and delays, workers at a lower OS priority, and workers
 * that wait while the node serves requests (the request counter sits on the host's server as an interceptor).
 */
@AutoConfiguration(value = "hapiFhirReindexThrottleAutoConfiguration", after = SchemaAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
public class ThrottleAutoConfiguration {

	@Bean
	public ReindexThrottle hapiFhirReindexThrottle(
			DataSource dataSource, ReindexProperties properties, ModuleSchema schema) {
		return new ReindexThrottle(dataSource, TimeUnit.SECONDS.toMillis(properties.getSlotLeaseSeconds()),
				new WorkerPriority(properties.getWorkerNice()));
	}

	/** Not lazy like the other server parts: the workers' {@link RequestYield} reads the same counter. */
	@Bean
	@ServerInterceptor(order = 50)
	public RequestActivity hapiFhirReindexRequestActivity() {
		return new RequestActivity();
	}

	@Bean
	public RequestYield hapiFhirReindexRequestYield(RequestActivity activity, ReindexProperties properties) {
		return new RequestYield(activity, properties.getRequestYieldPercent());
	}
}
