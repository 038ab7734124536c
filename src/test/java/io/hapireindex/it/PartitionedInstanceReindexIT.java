package io.hapireindex.it;

import ca.uhn.fhir.jpa.entity.PartitionEntity;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.hapireindex.testhost.HapiTestServer;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With HAPI partitioning on (tenant = first URL segment), the instance operations read the resource in the
 * request's partition only.
 */
@SpringBootTest(
		classes = HapiTestServer.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "test.partitioning=true")
class PartitionedInstanceReindexIT extends HapiServerTestBase {

	@Autowired
	private IPartitionLookupSvc partitions;

	@Test
	void resourceIsReadAndReindexedInTheRequestsPartitionOnly() {
		String home = createPartition("home");
		String other = createPartition("other");
		IGenericClient homeClient = FHIR.newRestfulGenericClient(baseUrl() + "/" + home);
		IGenericClient otherClient = FHIR.newRestfulGenericClient(baseUrl() + "/" + other);

		String patientId = unique("pat");
		Patient patient = new Patient();
		patient.setId(patientId);
		patient.addName().setFamily("Partitioned");
		homeClient.update().resource(patient).execute();
		HapiDatabase.StoredResource before = db.stored("Patient", patientId);

		for (String op : new String[] {"$reindex", "$reindex-dryrun"}) {
			assertThatThrownBy(() -> otherClient.operation()
							.onInstance(new IdType("Patient", patientId))
							.named(op)
							.withNoParameters(Parameters.class)
							.execute())
					.as(op + " from another partition")
					.isInstanceOfSatisfying(BaseServerResponseException.class, e -> assertThat(e.getStatusCode())
							.isEqualTo(404));
		}

		Parameters report = homeClient.operation()
				.onInstance(new IdType("Patient", patientId))
				.named("$reindex")
				.withNoParameters(Parameters.class)
				.execute();
		assertThat(ReindexReport.of(report).rows("StringIndexes", "family", "NO_CHANGE")).hasSize(1);
		assertThat(db.stored("Patient", patientId)).isEqualTo(before);
	}

	@Test
	void aJobStartedInOnePartitionReindexesThatPartitionOnly() {
		String home = createPartition("jobhome");
		String other = createPartition("jobother");
		IGenericClient homeClient = FHIR.newRestfulGenericClient(baseUrl() + "/" + home);
		IGenericClient otherClient = FHIR.newRestfulGenericClient(baseUrl() + "/" + other);
		for (int i = 0; i < 3; i++) {
			homeClient.update().resource(new Patient().setActive(true).setId(unique("h"))).execute();
			otherClient.update().resource(new Patient().setActive(true).setId(unique("o"))).execute();
		}
		otherClient.update().resource(new Patient().setActive(true).setId(unique("o"))).execute();
		int homeId = partitions.getPartitionByName(home).getId();
		long inHome = db.count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND PARTITION_ID = ?"
				+ " AND RES_DELETED_AT IS NULL", homeId);

		JobApi homeJobs = new JobApi(homeClient, baseUrl() + "/" + home, FHIR);
		Parameters start = new Parameters();
		start.addParameter("resourceType", new StringType("Patient"));
		Parameters status = homeJobs.awaitCompleted(homeJobs.start(null, start));
		assertThat(JobApi.number(status, "totalResourcesToReindex")).isEqualTo(inHome).isEqualTo(3);
		assertThat(JobApi.field(status, "partition")).isEqualTo(home);
		assertThat(JobApi.repeated(status, "stateByPartition")).singleElement().satisfies(s -> {
			assertThat(JobApi.part(s, "partition")).isEqualTo(home);
			assertThat(JobApi.part(s, "count")).isEqualTo("3");
			assertThat(JobApi.part(s, "reindexed")).isEqualTo("3");
			assertThat(JobApi.part(s, "failed")).isEqualTo("0");
			assertThat(JobApi.part(s, "skipped")).isEqualTo("0");
		});


		Parameters reachOut = new Parameters();
		reachOut.addParameter("partitionId", new StringType(other));
		JobApi.Answer refused = homeJobs.post("/$reindex", FHIR.newJsonParser().encodeResourceToString(reachOut));
		assertThat(refused.status()).isEqualTo(400);
		assertThat(refused.outcome().getIssueFirstRep().getDiagnostics()).contains("partitionId").contains("may not use");
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
