package io.hapireindex.config;

import io.hapireindex.hapi.HapiCompatibilityCheck;
import io.hapireindex.schema.ModuleSchema;
import io.hapireindex.startup.StartupCheck;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import java.util.Optional;
import javax.sql.DataSource;

/**
 * The database the module works in: its own tables, created or upgraded once through HAPI's migrator before any
 * store reads them, and HAPI's tables and columns its adapter relies on. Either one missing makes the module back off
 * (a startup check) instead of failing the host or writing into a schema it does not know.
 */
@AutoConfiguration(value = "hapiFhirReindexSchemaAutoConfiguration", after = ModuleStartupAutoConfiguration.class)
@ConditionalOnReindexModule
@ConditionalOnHapiJpaServer
public class SchemaAutoConfiguration {

	/** Every bean that uses the module's tables takes it as a parameter, so the schema step runs first. */
	@Bean
	public ModuleSchema hapiFhirReindexSchema(DataSource dataSource, ReindexProperties properties) {
		return ModuleSchema.prepare(dataSource, properties.isSchemaAutoMigrate());
	}

	@Bean
	public StartupCheck hapiFhirReindexSchemaCheck(ModuleSchema schema) {
		return () -> schema.isReady() ? Optional.empty() : Optional.of(schema.failure());
	}

	@Bean
	public StartupCheck hapiFhirReindexHapiCompatibilityCheck(DataSource dataSource) {
		return new HapiCompatibilityCheck(dataSource)::failure;
	}
}
