package io.hapireindex.it;

import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.jpa.entity.PartitionEntity;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.hapireindex.testhost.HapiTestServer;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With URL-based partitioning the admin page also lives under each tenant ({@code [base]/TENANT/reindex-admin/}),
 * and a job started there reads that tenant's partition only, as {@code $reindex} from there would; a job over
 * several partitions shows one row per partition.
 */
@SpringBootTest(
		classes = HapiTestServer.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "test.partitioning=true")
class AdminPartitionedIT extends HapiServerTestBase {

	@Autowired
	private IPartitionLookupSvc partitions;

	@Test
	void aJobStartedFromATenantsPageReindexesThatPartitionOnly() {
		String home = createPartition("admhome");
		String other = createPartition("admother");
		IGenericClient homeClient = FHIR.newRestfulGenericClient(baseUrl() + "/" + home);
		IGenericClient otherClient = FHIR.newRestfulGenericClient(baseUrl() + "/" + other);
		for (int i = 0; i < 3; i++) {
			homeClient.update().resource(new Patient().setActive(true).setId(unique("h"))).execute();
			otherClient.update().resource(new Patient().setActive(true).setId(unique("o"))).execute();
		}
		otherClient.update().resource(new Patient().setActive(true).setId(unique("o"))).execute();

		AdminHttp page = new AdminHttp(baseUrl() + "/" + home + "/reindex-admin/");
		assertThat(page.get("").status()).isEqualTo(200);
		AdminHttp.Answer started = page.post("api/jobs", "{\"resourceType\":[\"Patient\"]}", "X-HFR-Request", "1");
		assertThat(started.status()).as(started.body()).isEqualTo(201);
		String jobId = started.json().path("id").asText();

		JsonNode detail = awaitEnded(page, jobId);
		assertThat(detail.path("status").asText()).isEqualTo("Completed");
		assertThat(detail.path("total").asLong()).as("the tenant's own patients").isEqualTo(3);
		assertThat(detail.path("parameters").path("partitionLabel").asText()).isEqualTo(home);
		assertThat(detail.path("byPartition").get(0).path("total").asLong()).isEqualTo(3);

		AdminHttp.Answer reachOut = page.post("api/jobs", "{\"partitionId\":\"" + other + "\"}", "X-HFR-Request", "1");
		assertThat(reachOut.status()).isEqualTo(400);
		assertThat(reachOut.json().path("issue").path(0).path("expression").path(0).asText()).isEqualTo("partitionId");
		assertThat(reachOut.diagnostics()).contains("may not use");
	}

	@Test
	void aJobOverTwoPartitionsShowsOneRowPerPartition() {
		String a = createPartition("adma");
		String b = createPartition("admb");
		IGenericClient aClient = FHIR.newRestfulGenericClient(baseUrl() + "/" + a);
		IGenericClient bClient = FHIR.newRestfulGenericClient(baseUrl() + "/" + b);
		aClient.update().resource(new Patient().setActive(true).setId(unique("a"))).execute();
		for (int i = 0; i < 2; i++) {
			bClient.update().resource(new Patient().setActive(true).setId(unique("b"))).execute();
		}

		// HAPI's tenant _ALL is a caller that may use every partition
		AdminHttp page = new AdminHttp(baseUrl() + "/_ALL/reindex-admin/");
		AdminHttp.Answer started = page.post("api/jobs",
				"{\"resourceType\":[\"Patient\"],\"partitionId\":[\"" + a + "\",\"" + b + "\"]}", "X-HFR-Request", "1");
		assertThat(started.status()).as(started.body()).isEqualTo(201);
		JsonNode detail = awaitEnded(page, started.json().path("id").asText());

		assertThat(detail.path("status").asText()).isEqualTo("Completed");
		assertThat(detail.path("parameters").path("partitionLabel").asText()).isEqualTo(a + "," + b);
		Map<String, Long> rows = new LinkedHashMap<>();
		detail.path("byPartition").forEach(r -> rows.put(r.path("partition").asText(), r.path("total").asLong()));
		assertThat(rows).containsExactly(Map.entry(a, 1L), Map.entry(b, 2L));
		List<String> scopePartitions = new ArrayList<>();
		detail.path("scopes").forEach(r -> scopePartitions.add(r.path("partition").asText()));
		assertThat(scopePartitions).containsExactly(a, b);
	}

	private static JsonNode awaitEnded(AdminHttp page, String jobId) {
		JsonNode detail = page.get("api/jobs/" + jobId).json();
		long deadline = System.currentTimeMillis() + 60_000;
		while (!StatusEnum.valueOf(detail.path("state").asText()).isEnded()) {
			assertThat(System.currentTimeMillis()).as("job %s ends", jobId).isLessThan(deadline);
			JobApi.sleep(100);
			detail = page.get("api/jobs/" + jobId).json();
		}
		return detail;
	}

	private String createPartition(String prefix) {
		String name = unique(prefix).toUpperCase();
		PartitionEntity partition = new PartitionEntity();
		partition.setId(ThreadLocalRandom.current().nextInt(1000, 1_000_000));
		partition.setName(name);
		partitions.createPartition(partition, new SystemRequestDetails());
		return name;
	}
}
