package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.jobs.reindex.ReindexJobParameters;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.batch2.model.JobInstanceStartRequest;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Resource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test-side client of the module's job API: starts through HAPI's generic client, reads and cancels over
 * plain HTTP ({@code _operations/reindex} is not a FHIR interaction the generic client knows).
 */
public class JobApi {

	/** One HTTP answer with its parsed FHIR body. */
	public record Answer(int status, Resource body, java.net.http.HttpHeaders headers) {
		public Parameters parameters() {
			assertThat(body).as("body of a %s answer", status).isInstanceOf(Parameters.class);
			return (Parameters) body;
		}

		public OperationOutcome outcome() {
			assertThat(body).as("body of a %s answer", status).isInstanceOf(OperationOutcome.class);
			return (OperationOutcome) body;
		}
	}

	private final IGenericClient client;
	private final String base;
	private final FhirContext fhir;
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	public JobApi(IGenericClient client, String base, FhirContext fhir) {
		this.client = client;
		this.base = base;
		this.fhir = fhir;
	}

	/** Starts a job at server level ({@code type == null}) or type level; returns the job id. */
	public String start(String type, Parameters parameters) {
		MethodOutcome outcome = (type == null ? client.operation().onServer() : client.operation().onType(type))
				.named("$reindex")
				.withParameters(parameters)
				.returnMethodOutcome()
				.execute();
		assertThat(outcome.getResponseStatusCode()).isEqualTo(201);
		String location = outcome.getResponseHeaders().get("content-location").get(0);
		assertThat(location).startsWith(base + "/_operations/reindex/");
		return location.substring(location.lastIndexOf('/') + 1);
	}

	public Answer post(String path, String body, String... headers) {
		return withBody("POST", path, body, headers);
	}

	public Answer put(String path, String body, String... headers) {
		return withBody("PUT", path, body, headers);
	}

	/** @param headers alternating names and values */
	private Answer withBody(String method, String path, String body, String... headers) {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
				.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (body != null) {
			b.header("Content-Type", "application/fhir+json");
		}
		for (int i = 0; i < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return send(b.build());
	}

	public Answer get(String path) {
		return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
	}

	/** @param headers alternating names and values */
	public Answer get(String path, String... headers) {
		return withBody("GET", path, null, headers);
	}

	public Answer delete(String path) {
		return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().build());
	}

	/** @param headers alternating names and values */
	public Answer delete(String path, String... headers) {
		return withBody("DELETE", path, null, headers);
	}

	public Parameters status(String jobId) {
		Answer a = get("/_operations/reindex/" + jobId);
		assertThat(a.status()).isEqualTo(200);
		return a.parameters();
	}

	public Bundle list(String query) {
		Answer a = get("/_operations/reindex" + query);
		assertThat(a.status()).isEqualTo(200);
		return (Bundle) a.body();
	}

	public Parameters await(String jobId, Set<String> statuses, Duration timeout) {
		long deadline = System.currentTimeMillis() + timeout.toMillis();
		Parameters status;
		do {
			status = status(jobId);
			if (statuses.contains(field(status, "status"))) {
				return status;
			}
			sleep(100);
		} while (System.currentTimeMillis() < deadline);
		throw new AssertionError("job " + jobId + " not in " + statuses + " after " + timeout + ": "
				+ fhir.newJsonParser().encodeResourceToString(status));
	}

	public Parameters awaitCompleted(String jobId) {
		Parameters status = await(jobId, Set.of("Completed", "Failed", "Canceled"), Duration.ofSeconds(90));
		assertThat(field(status, "status")).as("final status of %s", jobId).isEqualTo("Completed");
		return status;
	}

	public static String field(Parameters p, String name) {
		Parameters.ParametersParameterComponent c = p.getParameter(name);
		return c == null ? null : ((PrimitiveType<?>) c.getValue()).getValueAsString();
	}

	public static long number(Parameters p, String name) {
		return new java.math.BigDecimal(field(p, name)).longValueExact();
	}

	public static List<Parameters.ParametersParameterComponent> repeated(Parameters p, String name) {
		return p.getParameter().stream().filter(c -> c.getName().equals(name)).toList();
	}

	public static String part(Parameters.ParametersParameterComponent c, String name) {
		return c.getPart().stream()
				.filter(x -> x.getName().equals(name))
				.map(x -> ((PrimitiveType<?>) x.getValue()).getValueAsString())
				.findFirst()
				.orElse(null);
	}

	private Answer send(HttpRequest request) {
		try {
			HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
			Resource body = r.body().isBlank() ? null : (Resource) fhir.newJsonParser().parseResource(r.body());
			return new Answer(r.statusCode(), body, r.headers());
		} catch (IOException e) {
			throw new IllegalStateException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	/**
	 * HAPI's built-in REINDEX job over {@code url}, driven by maintenance passes so a test needn't wait a minute per
	 * step; fails unless it completes within {@code timeoutMillis}.
	 */
	static void runHapisOwnReindex(
			IJobCoordinator coordinator, IJobMaintenanceService maintenance, String url, long timeoutMillis) {
		ReindexJobParameters hapiParams = new ReindexJobParameters();
		hapiParams.addUrl(url);
		JobInstanceStartRequest start = new JobInstanceStartRequest();
		start.setJobDefinitionId("REINDEX");
		start.setParameters(hapiParams);
		String id = coordinator.startInstance(new SystemRequestDetails(), start).getInstanceId();
		long deadline = System.currentTimeMillis() + timeoutMillis;
		while (!coordinator.getInstance(id).getStatus().isEnded()) {
			assertThat(System.currentTimeMillis()).as("HAPI's REINDEX job %s finished in time", id).isLessThan(deadline);
			maintenance.runMaintenancePass();
			sleep(200);
		}
		assertThat(coordinator.getInstance(id).getStatus()).isEqualTo(StatusEnum.COMPLETED);
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	static IdType id(String typeAndId) {
		return new IdType(typeAndId);
	}
}
