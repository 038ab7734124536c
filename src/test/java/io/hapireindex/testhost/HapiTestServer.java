package io.hapireindex.testhost;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import ca.uhn.fhir.jpa.provider.InstanceReindexProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.partition.RequestTenantPartitionInterceptor;
import ca.uhn.fhir.rest.server.tenant.UrlBaseTenantIdentificationStrategy;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

import java.util.Properties;
import javax.sql.DataSource;

/**
 * A HAPI FHIR JPA server as a host would set it up (the beans of the official starter, trimmed), on
 * embedded Tomcat at {@code /fhir}. It knows nothing about the module: the module arrives through Spring
 * Boot auto-configuration, as it does in the starter. HAPI's own {@code ReindexProvider} and
 * {@link InstanceReindexProvider} are registered on purpose, so the tests can show the module removes them.
 *
 * <p>FHIR version: {@code test.fhir-version} = DSTU3, R4 (default), R4B or R5 ({@link TestFhirVersion}): one of the nested
 * configurations below imports HAPI's JPA configuration of that version.
 *
 * <p>Database: {@code test.db=h2} (default, in memory) or {@code test.db=postgres} ({@code test.pg.url},
 * {@code test.pg.user}, {@code test.pg.password}; {@code test.pg.schema} when the URL selects a schema other than
 * {@code public} with {@code currentSchema}, as the benchmark's data sets do). {@code test.host-profile=starter}:
 * the official starter's settings ({@link StarterProfile}).
 */
@SpringBootApplication(exclude = {ElasticsearchRestClientAutoConfiguration.class, ThymeleafAutoConfiguration.class})
@Import({
	HapiJpaConfig.class,
	JpaBatch2Config.class,
	Batch2JobsConfig.class,
	ThreadPoolFactoryConfig.class,
	SubscriptionChannelConfig.class
})
public class HapiTestServer {

	/** HAPI's JPA configuration of the FHIR version in {@code test.fhir-version}. */
	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = TestFhirVersion.PROPERTY, havingValue = "R4", matchIfMissing = true)
	@Import(ca.uhn.fhir.jpa.config.r4.JpaR4Config.class)
	static class FhirR4 {}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = TestFhirVersion.PROPERTY, havingValue = "DSTU3")
	@Import(ca.uhn.fhir.jpa.config.dstu3.JpaDstu3Config.class)
	static class FhirDstu3 {}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = TestFhirVersion.PROPERTY, havingValue = "R4B")
	@Import(ca.uhn.fhir.jpa.config.r4b.JpaR4BConfig.class)
	static class FhirR4B {}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = TestFhirVersion.PROPERTY, havingValue = "R5")
	@Import(ca.uhn.fhir.jpa.config.r5.JpaR5Config.class)
	static class FhirR5 {}

	static boolean isPostgres(Environment env) {
		return "postgres".equalsIgnoreCase(env.getProperty("test.db", "h2"));
	}

	@Bean
	public DataSource dataSource(Environment env) {
		HikariDataSource ds = new HikariDataSource();
		if (isPostgres(env)) {
			String url = env.getProperty("test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
			String user = env.getProperty("test.pg.user", "postgres");
			String password = env.getProperty("test.pg.password", "");
			String suffix = contextDatabaseSuffix(env);
			// the benchmark points a second, differently configured server at its data set on purpose
			if (!suffix.isEmpty() && env.getProperty("test.pg.own-database", Boolean.class, true)) {
				// Test contexts share one JVM and, on PostgreSQL, would share one database: each context's batch2
				// workers would pick up the others' chunks, like a cluster whose nodes disagree about partitioning,
				// authorization or terminology state. Each differently configured context gets a database of its own.
				url = ownDatabase(url, suffix, user, password);
			}
			ds.setJdbcUrl(url);
			ds.setUsername(user);
			ds.setPassword(password);
		} else {
			ds.setJdbcUrl(env.getProperty(
					"test.h2.url", "jdbc:h2:mem:hapi-reindex-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"));
			ds.setUsername("sa");
		}
		ds.setMaximumPoolSize(StarterProfile.active(env) ? StarterProfile.POOL_SIZE : 20);
		// several test contexts and server processes share one PostgreSQL (100 connections): open on demand
		ds.setMinimumIdle(2);
		return ds;
	}

	/** Empty for the suite's main context; a suffix per differently configured test context. */
	private static String contextDatabaseSuffix(Environment env) {
		StringBuilder suffix = new StringBuilder();
		ca.uhn.fhir.context.FhirVersionEnum version = TestFhirVersion.of(env);
		if (version != ca.uhn.fhir.context.FhirVersionEnum.R4) {
			// resources stored by one FHIR version cannot be read by a server of another
			suffix.append('_').append(version.name().toLowerCase(java.util.Locale.ROOT));
		}
		if (isPartitioned(env)) {
			suffix.append("_partitioned");
		}
		if (env.getProperty("test.authorization", Boolean.class, false)) {
			suffix.append("_authz");
		}
		if (env.getProperty("test.roles-header", Boolean.class, false)) {
			suffix.append("_roles");
		}
		if ("auto".equals(env.getProperty("hapi-fhir-reindex.search-parameter-reindex"))) {
			suffix.append("_spauto");
		}
		// any other differently configured host (e.g. one the module backs off on) names its own
		suffix.append(env.getProperty("test.pg.database-suffix", ""));
		return suffix.toString();
	}

	/** The URL with its database renamed by {@code suffix}; the database is created when missing. */
	private static String ownDatabase(String url, String suffix, String user, String password) {
		String database = url.replaceFirst(".*/([^/?]+)(\\?.*)?$", "$1") + suffix;
		String own = url.replaceFirst("/([^/?]+)(\\?.*)?$", "/" + database + "$2");
		try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password);
				java.sql.Statement st = c.createStatement();
				java.sql.ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
			if (!rs.next()) {
				st.execute("CREATE DATABASE " + database);
			}
		} catch (java.sql.SQLException e) {
			throw new IllegalStateException("cannot create database " + database, e);
		}
		return own;
	}

	@Bean
	public JpaStorageSettings storageSettings(Environment env) {
		JpaStorageSettings settings = new JpaStorageSettings();
		if (StarterProfile.active(env)) {
			StarterProfile.storage(settings);
			return settings;
		}
		settings.setAllowExternalReferences(true);
		settings.setExpungeEnabled(true);
		// Hosts that follow the module's docs turn this off; with it on, every SearchParameter write would
		// start HAPI's own REINDEX job behind the tests' back.
		settings.setMarkResourcesForReindexingUponSearchParameterChange(false);
		return settings;
	}

	/** {@code test.partitioning=true}: HAPI partitioning on, partition named by the first URL segment. */
	static boolean isPartitioned(Environment env) {
		return env.getProperty("test.partitioning", Boolean.class, false);
	}

	@Bean
	public PartitionSettings partitionSettings(Environment env) {
		PartitionSettings settings = new PartitionSettings();
		settings.setPartitioningEnabled(isPartitioned(env));
		return settings;
	}

	@Bean
	public SubscriptionSettings subscriptionSettings() {
		return new SubscriptionSettings();
	}

	@Bean
	@Primary
	public LocalContainerEntityManagerFactoryBean entityManagerFactory(
			DataSource dataSource,
			ConfigurableListableBeanFactory beanFactory,
			FhirContext fhirContext,
			JpaStorageSettings storageSettings,
			Environment env) {
		LocalContainerEntityManagerFactoryBean emf =
				HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		emf.setPersistenceUnitName("HAPI_PU");
		emf.setDataSource(dataSource);
		Properties jpa = new Properties();
		jpa.put("hibernate.dialect",
				isPostgres(env) ? HapiFhirPostgresDialect.class.getName() : HapiFhirH2Dialect.class.getName());
		// test.hbm2ddl=create: the benchmark's new data sets (schema update misses sequences in a new PostgreSQL
		// schema when another schema of the database already has them)
		jpa.put("hibernate.hbm2ddl.auto", env.getProperty("test.hbm2ddl", "update"));
		String schema = env.getProperty("test.pg.schema");
		if (isPostgres(env) && schema != null) {
			jpa.put("hibernate.default_schema", schema);
		}
		jpa.put("hibernate.search.enabled", "false");
		jpa.put("hibernate.format_sql", "false");
		jpa.put("hibernate.show_sql", "false");
		jpa.put("hibernate.jdbc.batch_size", "20");
		jpa.put("hibernate.cache.use_query_cache", "false");
		jpa.put("hibernate.cache.use_second_level_cache", "false");
		jpa.put("hibernate.cache.use_structured_entries", "false");
		jpa.put("hibernate.cache.use_minimal_puts", "false");
		if (StarterProfile.active(env)) {
			StarterProfile.hibernate(jpa);
		}
		emf.setJpaProperties(jpa);
		return emf;
	}

	@Bean
	@Primary
	public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		return new JpaTransactionManager(entityManagerFactory);
	}

	@Bean
	public RestfulServer restfulServer(
			IFhirSystemDao<?, ?> systemDao,
			ResourceProviderFactory resourceProviders,
			JpaSystemProvider<?, ?> systemProvider,
			// by name: HAPI 8.8 moved the class to another package, and the host runs on 8.4 and 8.6 too
			@Qualifier("reindexProvider") Object hapiReindexProvider,
			@Lazy InstanceReindexProvider hapiInstanceReindexProvider,
			DatabaseBackedPagingProvider pagingProvider,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			RequestTenantPartitionInterceptor tenantPartitionInterceptor,
			Environment env) {
		RestfulServer server = new RestfulServer(systemDao.getContext());
		if (isPartitioned(env)) {
			server.setTenantIdentificationStrategy(new UrlBaseTenantIdentificationStrategy());
			server.registerInterceptor(tenantPartitionInterceptor);
		}
		if (env.getProperty("test.authorization", Boolean.class, false)) {
			server.registerInterceptor(new TestAuthorization());
		}
		server.registerProviders(resourceProviders.createProviders());
		server.registerProvider(systemProvider);
		server.registerProvider(hapiReindexProvider);
		server.registerProvider(hapiInstanceReindexProvider);
		server.setPagingProvider(pagingProvider);
		server.setDefaultPrettyPrint(true);
		server.setServerConformanceProvider(capabilityStatementProvider(
				server, systemDao, storageSettings, searchParamRegistry, validationSupport));
		return server;
	}

	/**
	 * As the official starter: DSTU3 has a statement provider of its own (the generic one writes
	 * {@code rest.operation.definition} as a canonical, which DSTU3 types as a Reference).
	 */
	@SuppressWarnings("unchecked")
	private static Object capabilityStatementProvider(
			RestfulServer server,
			IFhirSystemDao<?, ?> systemDao,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport) {
		if (systemDao.getContext().getVersion().getVersion() == ca.uhn.fhir.context.FhirVersionEnum.DSTU3) {
			return new ca.uhn.fhir.jpa.provider.dstu3.JpaConformanceProviderDstu3(
					server,
					(IFhirSystemDao<org.hl7.fhir.dstu3.model.Bundle, org.hl7.fhir.dstu3.model.Meta>) systemDao,
					storageSettings,
					searchParamRegistry);
		}
		return new JpaCapabilityStatementProvider(server, systemDao, storageSettings, searchParamRegistry, validationSupport);
	}

	/**
	 * {@code test.roles-header=true}: stands in for a host's authentication layer (Spring Security, a container
	 * realm) that puts the caller's roles on the servlet request; here they come from the header {@code X-Test-Roles}.
	 */
	@Bean
	@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "test.roles-header", havingValue = "true")
	public org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter> testRolesFilter() {
		jakarta.servlet.Filter filter = (request, response, chain) -> {
			jakarta.servlet.http.HttpServletRequest http = (jakarta.servlet.http.HttpServletRequest) request;
			String header = http.getHeader("X-Test-Roles");
			java.util.List<String> roles = header == null ? java.util.List.of() : java.util.List.of(header.split(","));
			chain.doFilter(new jakarta.servlet.http.HttpServletRequestWrapper(http) {
				@Override
				public boolean isUserInRole(String role) {
					return roles.contains(role);
				}
			}, response);
		};
		return new org.springframework.boot.web.servlet.FilterRegistrationBean<>(filter);
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> fhirServlet(RestfulServer restfulServer) {
		ServletRegistrationBean<RestfulServer> registration = new ServletRegistrationBean<>(restfulServer, "/fhir/*");
		registration.setName("fhirServlet");
		registration.setLoadOnStartup(1);
		return registration;
	}
}
