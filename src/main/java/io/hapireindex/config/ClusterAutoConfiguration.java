package io.hapireindex.config;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import io.hapireindex.cluster.StalledChunkWatchdog;
import io.hapireindex.job.ReindexJob;
import io.hapireindex.schema.ModuleSchema;
import io.hapireindex.throttle.ReindexThrottle;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/** The watchdog that hands the chunks of a node that died to the others (started with the module's services). */
@AutoConfiguration(value = "hapiFhirReindexClusterAutoConfiguration", after = ThrottleAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
public class ClusterAutoConfiguration {

	/** The throttle is a parameter so its slot table exists before the watchdog frees slots in it. */
	@Bean
	public StalledChunkWatchdog hapiFhirReindexStalledChunkWatchdog(
			DataSource dataSource,
			ModuleSchema schema,
			IJobMaintenanceService maintenance,
			ReindexThrottle throttle,
			ReindexProperties properties) {
		return new StalledChunkWatchdog(dataSource, maintenance, ReindexJob.JOB_DEFINITION_ID,
				TimeUnit.SECONDS.toMillis(properties.getNodeLeaseSeconds()));
	}
}
