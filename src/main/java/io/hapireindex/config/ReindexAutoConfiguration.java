package io.hapireindex.config;

import ca.uhn.fhir.rest.server.RestfulServer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Import;

/**
 * Spring Boot entry point: active when HAPI's {@link RestfulServer} is on the classpath and
 * {@code hapi-fhir-reindex.enabled} is not {@code false}.
 */
@AutoConfiguration
@ConditionalOnClass(RestfulServer.class)
@ConditionalOnProperty(prefix = ReindexProperties.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
@Import(ReindexModuleConfiguration.class)
public class ReindexAutoConfiguration {}
