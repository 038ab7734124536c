package io.hapireindex.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import io.hapireindex.testhost.HapiTestServer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** The real HAPI test host with the module, in this JVM, as the benchmark talks to it. */
public record BenchServer(ApplicationContext context, String baseUrl, ConfigurableApplicationContext owned) implements AutoCloseable {

	/**
	 * Starts the test host on a free port against the given database.
	 *
	 * @param fresh the database is empty: HAPI's schema is created outright rather than updated
	 */
	static BenchServer start(BenchDatabase db, boolean fresh) {
		return start(db, fresh, Map.of());
	}

	/** @param overrides properties that replace the benchmark's defaults (e.g. automatic SearchParameter reindex) */
	static BenchServer start(BenchDatabase db, boolean fresh, Map<String, Object> overrides) {
		Map<String, Object> props = new LinkedHashMap<>(db.hostProperties());
		props.put("test.hbm2ddl", fresh ? "create" : "update");
		props.put("server.port", "0");
		props.put("spring.main.banner-mode", "off");
		// only the benchmark's explicit jobs may run: no automatic reindex after the benchmark's SearchParameter write
		props.put("hapi-fhir-reindex.search-parameter-reindex", "off");
		props.put("test.pg.own-database", "false");
		// configured as the official starter is out of the box (bench.host-profile=test: the test host's own settings)
		props.put("test.host-profile", System.getProperty("bench.host-profile", "starter"));
		SpringApplication app = new SpringApplication(HapiTestServer.class);
		app.setDefaultProperties(props);
		// arguments, because the test host's application.properties outranks default properties
		ConfigurableApplicationContext ctx = app.run(overrides.entrySet().stream()
				.map(e -> "--" + e.getKey() + "=" + e.getValue())
				.toArray(String[]::new));
		int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
		return new BenchServer(ctx, "http://localhost:" + port + "/fhir", ctx);
	}

	/** A server someone else runs (the smoke test's shared test context). */
	public static BenchServer existing(ApplicationContext context, String baseUrl) {
		return new BenchServer(context, baseUrl, null);
	}

	public <T> T bean(Class<T> type) {
		return context.getBean(type);
	}

	DataSource dataSource() {
		return bean(DataSource.class);
	}

	JdbcTemplate jdbc() {
		return new JdbcTemplate(dataSource());
	}

	IGenericClient client() {
		FhirContext fhir = bean(FhirContext.class);
		fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		fhir.getRestfulClientFactory().setSocketTimeout(600_000);
		return fhir.newRestfulGenericClient(baseUrl);
	}

	@Override
	public void close() {
		if (owned != null) {
			owned.close();
		}
	}
}
