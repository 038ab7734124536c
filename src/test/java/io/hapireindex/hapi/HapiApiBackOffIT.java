package io.hapireindex.hapi;

import ca.uhn.fhir.rest.server.RestfulServer;
import io.hapireindex.it.HapiServerTestBase;
import io.hapireindex.startup.ModuleReadiness;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host's HAPI decides whether the module runs: on a HAPI whose API differs from what the module's classes call
 * (HAPI 8.4.0, run with {@code mvn -Phapi-compat -Dhapi.version=8.4.0 test -Dtest=HapiApiBackOffIT}), the host still
 * starts and serves with HAPI's own {@code $reindex}, and the module backs off with one reason naming the missing API;
 * on a supported HAPI the same host runs the module.
 */
class HapiApiBackOffIT extends HapiServerTestBase {

	@Autowired
	ModuleReadiness readiness;

	@Autowired
	RestfulServer restfulServer;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();

	@Test
	void theHostServesAndTheModuleRunsOnlyOnAHapiWithTheApiItCalls() throws Exception {
		HttpResponse<String> metadata = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/metadata"))
				.timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(metadata.statusCode()).isEqualTo(200);

		List<String> missing = HapiApi.missing();
		if (missing.isEmpty()) {
			assertThat(HapiVersion.TESTED).as("a HAPI with the API is a tested one").contains(HapiVersion.running());
			assertThat(readiness.failures()).as("the module runs on HAPI " + HapiVersion.running()).isEmpty();
			return;
		}
		assertThat(readiness.failures()).singleElement().satisfies(reason -> assertThat(reason)
				.contains("HAPI FHIR " + HapiVersion.running())
				.contains(missing.get(0))
				.contains("Use HAPI FHIR " + HapiVersion.TESTED.get(0) + " or later"));
		assertThat(restfulServer.getInterceptorService().getAllRegisteredInterceptors())
				.noneMatch(i -> i.getClass().getName().startsWith("io.hapireindex"));

		// HAPI's own server $reindex answers with its REINDEX job: 8.4 with 200 and the jobId, later versions with 202 and
		// the status URL of HAPI's job (the module's would be 201 and Content-Location [base]/_operations/reindex/{id})
		HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/$reindex"))
				.timeout(Duration.ofMinutes(3))
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Parameters\",\"parameter\":["
						+ "{\"name\":\"url\",\"valueString\":\"Patient?_id=nobody-hapi-api\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(started.statusCode()).as(started.body()).isIn(200, 202);
		String location = started.headers().firstValue("Content-Location").orElse("");
		assertThat(started.body() + " " + location).as("HAPI's job").containsAnyOf("\"jobId\"", "$hapi.fhir.reindex-status");
		assertThat(location).doesNotContain("_operations/reindex");
	}
}
