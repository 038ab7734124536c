package io.hapireindex.config;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The switch every configuration of the module shares: HAPI's {@code RestfulServer} on the classpath (by name, so a
 * host without HAPI loads no HAPI class through it) and {@code hapi-fhir-reindex.enabled} not {@code false}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Documented
@ConditionalOnClass(name = "ca.uhn.fhir.rest.server.RestfulServer")
@ConditionalOnProperty(prefix = ReindexProperties.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
public @interface ConditionalOnReindexModule {}
