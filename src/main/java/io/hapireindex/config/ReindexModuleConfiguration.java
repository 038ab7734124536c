package io.hapireindex.config;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The whole module for a plain Spring host ({@code @Import} it after HAPI's configuration); Spring Boot hosts get it
 * through {@link ReindexAutoConfiguration}. Each feature is a configuration of its own, with its own conditions.
 */
@Configuration(proxyBeanMethods = false)
@Import({
	ModuleStartupAutoConfiguration.class,
	SchemaAutoConfiguration.class,
	IndexingAutoConfiguration.class,
	ThrottleAutoConfiguration.class,
	ClusterAutoConfiguration.class,
	ReindexJobAutoConfiguration.class,
	SearchParameterAutoConfiguration.class,
	ReindexOperationsAutoConfiguration.class,
	JobApiAutoConfiguration.class,
	AdminPageAutoConfiguration.class
})
public class ReindexModuleConfiguration {}
