package io.hapireindex.it;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.hapireindex.throttle.RequestActivity;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On a real server, the module sees the requests it is serving (what reindex workers step aside for) and forgets
 * each one when it ends, whatever its outcome: a request left counted would slow every later job.
 */
class RequestActivityIT extends HapiServerTestBase {

	private static final String HOLD = "X-Test-Hold";

	@Autowired
	private RestfulServer restfulServer;

	@Autowired
	private RequestActivity activity;

	/** Holds requests that carry {@link #HOLD} until released, so the test can look while one is in progress. */
	@Interceptor
	public static class Holder {
		final CountDownLatch arrived = new CountDownLatch(1);
		final CountDownLatch release = new CountDownLatch(1);

		@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
		public void hold(RequestDetails request) throws InterruptedException {
			if (request.getHeader(HOLD) != null) {
				arrived.countDown();
				release.await(30, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void aRequestCountsWhileItIsServedAndNotAfter() throws Exception {
		String id = createPatients(unique("Activity"), "Bern", 1).get(0);
		Holder holder = new Holder();
		restfulServer.getInterceptorService().registerInterceptor(holder);
		try {
			assertThat(idleSoon()).as("no request in progress before the test's").isTrue();
			HttpClient http = HttpClient.newHttpClient();
			CompletableFuture<HttpResponse<String>> held = http.sendAsync(
					HttpRequest.newBuilder(URI.create(baseUrl() + "/Patient/" + id)).header(HOLD, "1").GET().build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(holder.arrived.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(activity.busy()).as("a request in progress").isTrue();
			holder.release.countDown();
			assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
			assertThat(idleSoon()).as("the same request, answered").isTrue();
		} finally {
			holder.release.countDown();
			restfulServer.getInterceptorService().unregisterInterceptor(holder);
		}
	}

	@Test
	void requestsThatSucceedFailOrAreTheModulesOwnAreAllForgotten() throws InterruptedException {
		String id = createPatients(unique("Activity"), "Bern", 1).get(0);
		client.read().resource(Patient.class).withId(id).execute();
		client.search().forResource(Patient.class).returnBundle(Bundle.class).execute();
		client.capabilities().ofType(org.hl7.fhir.r4.model.CapabilityStatement.class).execute();
		assertThatThrownBy(() -> client.read().resource(Patient.class).withId("no-such-" + id).execute())
				.isInstanceOf(BaseServerResponseException.class);
		assertThatThrownBy(() -> client.search().byUrl("Patient?no-such-parameter=1").returnBundle(Bundle.class).execute())
				.isInstanceOf(BaseServerResponseException.class);
		client.operation().onInstance(new IdType("Patient", id)).named("$reindex")
				.withNoParameters(Parameters.class).execute();
		assertThatThrownBy(() -> client.operation().onServer().named("$reindex")
				.withParameter(Parameters.class, "maximumConcurrency", new org.hl7.fhir.r4.model.IntegerType(99))
				.execute())
				.isInstanceOf(BaseServerResponseException.class);
		assertThat(idleSoon()).isTrue();
	}

	/**
	 * Whether the node is idle within two seconds. HAPI fires SERVER_PROCESSING_COMPLETED after the response has been
	 * written, so a client can hold its answer a moment before the server thread forgets the request; a request left
	 * counted for good would still be counted after this wait (it is five times shorter than the staleness limit).
	 */
	private boolean idleSoon() throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
		while (activity.busy()) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			Thread.sleep(10);
		}
		return true;
	}
}
