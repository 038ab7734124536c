package io.hapireindex.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls to the admin page and its JSON API, with any headers a browser or an attacker would send. */
public class AdminHttp {

	/** One answer: status, body text, and the body as JSON when it is JSON. */
	public record Answer(int status, String body, java.net.http.HttpHeaders headers) {
		public JsonNode json() {
			try {
				return JSON.readTree(body);
			} catch (IOException e) {
				throw new AssertionError("not JSON (" + status + "): " + body, e);
			}
		}

		public String diagnostics() {
			return json().path("issue").path(0).path("diagnostics").asText();
		}
	}

	static final ObjectMapper JSON = new ObjectMapper();

	private final String pageUrl;
	private final HttpClient http = HttpClient.newBuilder()
			.connectTimeout(Duration.ofSeconds(10))
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();

	/** @param pageUrl {@code [base]/reindex-admin/} */
	public AdminHttp(String pageUrl) {
		this.pageUrl = pageUrl;
	}

	/** @param headers alternating names and values */
	public Answer get(String path, String... headers) {
		return send(builder(path, headers).GET().build());
	}

	/** A POST with a JSON body (null for none). */
	public Answer post(String path, String json, String... headers) {
		HttpRequest.Builder b = builder(path, headers)
				.POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
		if (json != null) {
			b.header("Content-Type", "application/json");
		}
		return send(b.build());
	}

	private HttpRequest.Builder builder(String path, String... headers) {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pageUrl + path)).timeout(Duration.ofSeconds(60));
		for (int i = 0; i < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return b;
	}

	private Answer send(HttpRequest request) {
		try {
			HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
			return new Answer(r.statusCode(), r.body(), r.headers());
		} catch (IOException e) {
			throw new IllegalStateException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}
}
