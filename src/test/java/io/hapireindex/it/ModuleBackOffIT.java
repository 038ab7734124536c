package io.hapireindex.it;

import ca.uhn.fhir.batch2.jobs.bulkmodify.reindex.ReindexProvider;
import ca.uhn.fhir.jpa.provider.InstanceReindexProvider;
import ca.uhn.fhir.rest.server.ResourceBinding;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.method.BaseMethodBinding;
import ca.uhn.fhir.rest.server.method.OperationMethodBinding;
import io.hapireindex.operation.HapiReindexBindingFilter;
import io.hapireindex.startup.ModuleReadiness;
import io.hapireindex.startup.StartupCheck;
import io.hapireindex.testhost.HapiTestServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.util.ReflectionTestUtils;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real HAPI server on which the module cannot run (a startup check fails, as the schema step or a HAPI contract
 * check would on a host the module does not support) starts, serves, and keeps every binding of HAPI's own: its
 * {@code $reindex} answers. The module registers nothing on the server.
 */
@SpringBootTest(
		classes = {HapiTestServer.class, ModuleBackOffIT.FailingCheck.class},
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "test.pg.database-suffix=_backoff")
class ModuleBackOffIT {

	static final String REASON = "the module's schema step failed on this database (test)";

	/** Stands for any check the module's parts contribute; the module treats every StartupCheck bean alike. */
	@Configuration(proxyBeanMethods = false)
	static class FailingCheck {
		@Bean
		StartupCheck hostSaysTheModuleCannotRun() {
			return () -> Optional.of(REASON);
		}
	}

	@LocalServerPort
	int port;

	@Autowired
	RestfulServer restfulServer;

	@Autowired
	ModuleReadiness readiness;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return http.send(request.timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private String base() {
		return "http://localhost:" + port + "/fhir";
	}

	@Test
	void theHostServesWithHapisOwnReindexAndNothingOfTheModule() throws Exception {
		assertThat(readiness.failures()).containsExactly(REASON);

		HttpResponse<String> metadata = send(HttpRequest.newBuilder(URI.create(base() + "/metadata")));
		assertThat(metadata.statusCode()).isEqualTo(200);
		assertThat(metadata.body()).contains("\"CapabilityStatement\"", "\"reindex\"");

		List<OperationMethodBinding> reindexBindings = reindexBindings();
		assertThat(reindexBindings)
				.as("HAPI's server-level $reindex stays")
				.anySatisfy(b -> {
					assertThat(b.getProvider()).isInstanceOf(ReindexProvider.class);
					assertThat(b.getName()).isEqualTo("$reindex");
				});
		assertThat(reindexBindings)
				.as("HAPI's instance $reindex and $reindex-dryrun stay")
				.anySatisfy(b -> assertThat(b.getProvider()).isInstanceOf(InstanceReindexProvider.class));
		assertThat(allBindings())
				.as("no binding of the module")
				.noneMatch(b -> b.getProvider() != null && b.getProvider().getClass().getName().startsWith("io.hapireindex"));
		assertThat(restfulServer.getInterceptorService().getAllRegisteredInterceptors())
				.noneMatch(i -> i.getClass().getName().startsWith("io.hapireindex"))
				.noneMatch(HapiReindexBindingFilter.class::isInstance);

		// HAPI's provider answers: 202 and the status URL of HAPI's own REINDEX job
		HttpResponse<String> started = send(HttpRequest.newBuilder(URI.create(base() + "/$reindex"))
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Parameters\",\"parameter\":["
						+ "{\"name\":\"url\",\"valueString\":\"Patient?_id=nobody-backoff\"}]}")));
		assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
		assertThat(started.headers().firstValue("Content-Location")).get().asString().contains("$hapi.fhir.reindex-status");

		// the module's job API is not there either
		HttpResponse<String> jobApi = send(HttpRequest.newBuilder(URI.create(base() + "/_operations/reindex")));
		assertThat(jobApi.statusCode()).isBetween(400, 404);
	}

	private List<BaseMethodBinding> allBindings() {
		List<BaseMethodBinding> bindings = new ArrayList<>(restfulServer.getServerBindings());
		restfulServer.getResourceBindings().forEach(rb -> bindings.addAll(rb.getMethodBindings()));
		ResourceBinding global = (ResourceBinding) ReflectionTestUtils.getField(restfulServer, "myGlobalBinding");
		bindings.addAll(global.getMethodBindings());
		return bindings;
	}

	private List<OperationMethodBinding> reindexBindings() {
		return allBindings().stream()
				.filter(OperationMethodBinding.class::isInstance)
				.map(OperationMethodBinding.class::cast)
				.filter(b -> b.getName().equals("$reindex") || b.getName().equals("$reindex-dryrun"))
				.toList();
	}
}
