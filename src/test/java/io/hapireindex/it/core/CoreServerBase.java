package io.hapireindex.it.core;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.CacheControlDirective;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.util.BundleUtil;
import ca.uhn.fhir.util.FhirTerser;
import ca.uhn.fhir.util.ParametersUtil;
import io.hapireindex.it.HapiDatabase;
import io.hapireindex.testhost.HapiTestServer;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core suite's base: the test host on the FHIR version of {@code test.fhir-version}, a client of that same
 * version, and resources written as JSON that is valid in DSTU3, R4, R4B and R5 alike, so every core test runs
 * unchanged on each version. Like the R4 suite, tests go over HTTP and check HAPI's tables.
 */
@SpringBootTest(classes = HapiTestServer.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class CoreServerBase {

	protected static final String BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
	private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

	@LocalServerPort
	protected int port;

	@Autowired
	protected DataSource dataSource;

	@Autowired
	protected ISearchParamRegistry searchParamRegistry;

	/** The server's own context: tests use a client of exactly its FHIR version. */
	@Autowired
	private FhirContext serverContext;

	protected FhirContext fhir;
	protected IGenericClient client;
	protected HapiDatabase db;
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@BeforeEach
	void connect() {
		fhir = FhirContext.forCached(serverContext.getVersion().getVersion());
		fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		fhir.getRestfulClientFactory().setSocketTimeout(120_000);
		client = fhir.newRestfulGenericClient(baseUrl());
		db = new HapiDatabase(new JdbcTemplate(dataSource));
	}

	protected String baseUrl() {
		return "http://localhost:" + port + "/fhir";
	}

	protected static String unique(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	protected IBaseResource parse(String json) {
		return fhir.newJsonParser().parseResource(json);
	}

	/** A patient born in {@code city} (the patient-birthPlace extension), stored with PUT under {@code id}. */
	protected void putPatient(String id, String family, String city) {
		client.update().resource(parse("""
				{"resourceType":"Patient","id":"%s","active":true,
				 "name":[{"family":"%s","given":["Core"]}],"gender":"female",
				 "extension":[{"url":"%s","valueAddress":{"city":"%s"}}]}
				""".formatted(id, family, BIRTH_PLACE, city))).execute();
	}

	/**
	 * A custom string SearchParameter on Patient (the family name, so every version's FHIRPath engine reads it
	 * alike), made usable on this node at once.
	 */
	protected String putFamilyParameter(String id, String code) {
		String url = "http://example.org/fhir/SearchParameter/" + id;
		client.update().resource(parse("""
				{"resourceType":"SearchParameter","id":"%s","url":"%s","name":"%s","status":"active",
				 "description":"core test parameter %s","code":"%s","base":["Patient"],"type":"string",
				 "expression":"Patient.name.family"}
				""".formatted(id, url, code, code, code))).execute();
		searchParamRegistry.forceRefresh();
		return url;
	}

	/** A Parameters of this version with string values, alternating names and values. */
	protected IBaseParameters parameters(String... namesAndValues) {
		IBaseParameters p = ParametersUtil.newInstance(fhir);
		for (int i = 0; i < namesAndValues.length; i += 2) {
			ParametersUtil.addParameterToParametersString(fhir, p, namesAndValues[i], namesAndValues[i + 1]);
		}
		return p;
	}

	protected String value(IBaseParameters p, String name) {
		return ParametersUtil.getNamedParameterValueAsString(fhir, p, name).orElse(null);
	}

	/** The resources of a search's first page that match (a readiness warning entry is not a match), no cache. */
	protected List<IBaseResource> searchMatches(String url) {
		IBaseBundle bundle = search(url);
		List<IBaseResource> out = new ArrayList<>();
		for (var entry : BundleUtil.getSearchBundleEntryParts(fhir, bundle)) {
			if (entry.getSearchMode() == null || entry.getSearchMode() == ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum.MATCH) {
				out.add(entry.getResource());
			}
		}
		return out;
	}

	protected IBaseBundle search(String url) {
		return client.search()
				.byUrl(url + (url.contains("?") ? "&" : "?") + "_count=100")
				.cacheControl(new CacheControlDirective().setNoCache(true))
				.returnBundle(bundleClass())
				.execute();
	}

	@SuppressWarnings("unchecked")
	private Class<IBaseBundle> bundleClass() {
		return (Class<IBaseBundle>) fhir.getResourceDefinition("Bundle").getImplementingClass();
	}

	/** One HTTP answer; {@link #resource()} parses its FHIR body in the server's version. */
	protected record Answer(int status, String body, HttpHeaders headers, FhirContext fhir) {
		IBaseResource resource() {
			return fhir.newJsonParser().parseResource(body);
		}

		IBaseParameters parameters() {
			IBaseResource r = resource();
			assertThat(r.fhirType()).as("body of a %s answer: %s", status, body).isEqualTo("Parameters");
			return (IBaseParameters) r;
		}

		String header(String name) {
			return headers.firstValue(name).orElse(null);
		}
	}

	protected Answer http(String method, String path, String body) {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
				.timeout(Duration.ofMinutes(2))
				.header("Accept", "application/fhir+json")
				// HAPI answers /metadata (and repeated searches) from its cache otherwise, hiding a new parameter
				.header("Cache-Control", "no-cache")
				.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (body != null) {
			b.header("Content-Type", path.contains("reindex-admin/api") ? "application/json" : "application/fhir+json");
		}
		if (body != null && path.contains("reindex-admin/api")) {
			b.header("X-HFR-Request", "1");
		}
		try {
			HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
			return new Answer(r.statusCode(), r.body(), r.headers(), fhir);
		} catch (IOException e) {
			throw new IllegalStateException(method + " " + path + " failed", e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	protected String json(IBaseResource resource) {
		return fhir.newJsonParser().encodeResourceToString(resource);
	}

	/** Starts a job with a Parameters body at {@code path} ({@code /$reindex}, {@code /Patient/$reindex}); its id. */
	protected String startJob(String path, IBaseParameters body) {
		Answer started = http("POST", path, json(body));
		assertThat(started.status()).as(started.body()).isEqualTo(201);
		String location = started.header("Content-Location");
		assertThat(location).startsWith(baseUrl() + "/_operations/reindex/");
		assertThat(value(started.parameters(), "id")).isEqualTo(location.substring(location.lastIndexOf('/') + 1));
		return location.substring(location.lastIndexOf('/') + 1);
	}

	protected IBaseParameters jobStatus(String jobId) {
		Answer a = http("GET", "/_operations/reindex/" + jobId, null);
		assertThat(a.status()).as(a.body()).isEqualTo(200);
		return a.parameters();
	}

	/** Polls the job API until the job's status is one of {@code wanted}; its last status. */
	protected IBaseParameters awaitJob(String jobId, String... wanted) {
		return await("job " + jobId + " to be " + String.join("|", wanted), () -> {
			IBaseParameters status = jobStatus(jobId);
			return List.of(wanted).contains(value(status, "status")) ? Optional.of(status) : Optional.empty();
		});
	}

	/**
	 * Polls until batch2 has ended the job (it has an end time) with one of {@code wanted}; a cancel shows as
	 * Canceled as soon as it is requested, before batch2 moves the job to CANCELLED.
	 */
	protected IBaseParameters awaitEnded(String jobId, String... wanted) {
		return await("job " + jobId + " to end as " + String.join("|", wanted), () -> {
			IBaseParameters status = jobStatus(jobId);
			return List.of(wanted).contains(value(status, "status")) && value(status, "endTime") != null
					? Optional.of(status) : Optional.empty();
		});
	}

	protected <T> T await(String what, Supplier<Optional<T>> check) {
		long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
		while (true) {
			Optional<T> result = check.get();
			if (result.isPresent()) {
				return result.get();
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out waiting for " + what);
			}
			try {
				Thread.sleep(200);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new AssertionError(e);
			}
		}
	}

	/** String index rows of a resource for one parameter ("exact|normalized"). */
	protected java.util.Set<String> stringRows(String type, String id, String param) {
		return db.stringRows(db.pid(type, id), param);
	}

	/** Named parts of one parameter of a Parameters, as name=value text. */
	protected List<String> parts(IBase parameter) {
		FhirTerser terser = fhir.newTerser();
		List<String> out = new ArrayList<>();
		for (IBase part : terser.getValues(parameter, "part")) {
			out.add(terser.getSinglePrimitiveValueOrNull(part, "name") + "="
					+ terser.getSinglePrimitiveValueOrNull(part, "value[x]"));
		}
		return out;
	}
}
