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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With HAPI partitioning on (tenant = first URL segment), the instance operations read the resource in the
 * request's partition only, and a job reads exactly the partitions it was started for. The tenant
 * {@code _ALL} is HAPI's all-partitions caller (RequestTenantPartitionInterceptor).
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

	@Test
	void explicitIdsAreLookedUpInTheJobsPartitionsOnly() {
		String a = createPartition("ida");
		String b = createPartition("idb");
		String c = createPartition("idc");
		createPatientsIn(a, 1);
		String inB = createPatientsIn(b, 1).get(0);
		String inC = createPatientsIn(c, 1).get(0);

		// the ids are looked up in the whole selection, not in the first scope's partition (A alone once scopes are
		// split per partition)
		JobApi allJobs = allPartitionsJobApi();
		Parameters start = new Parameters();
		start.addParameter("partitionId", new StringType(a));
		start.addParameter("partitionId", new StringType(b));
		start.addParameter("resourceType", new StringType("Observation"));
		start.addParameter("resourceId", new StringType("Patient/" + inB));
		start.addParameter("resourceId", new StringType("Patient/" + inC));
		Parameters listed = allJobs.await(allJobs.start(null, start), Set.of("Completed", "Failed"), Duration.ofSeconds(90));
		assertThat(JobApi.field(listed, "status")).isEqualTo("Failed");
		assertThat(JobApi.number(listed, "resourcesSuccessfullyReindexed")).isEqualTo(1);
		assertThat(JobApi.repeated(listed, "error")).singleElement()
				.satisfies(e -> assertThat(JobApi.part(e, "resource")).isEqualTo("Patient/" + inC));

		// a tenant's job of ids only has no scopes: its ids are looked up in the tenant's partition all the same
		String tenantBase = baseUrl() + "/" + a;
		JobApi tenantJobs = new JobApi(FHIR.newRestfulGenericClient(tenantBase), tenantBase, FHIR);
		Parameters reachOut = new Parameters();
		reachOut.addParameter("resourceId", new StringType("Patient/" + inB));
		Parameters refused = tenantJobs.await(tenantJobs.start(null, reachOut), Set.of("Completed", "Failed"), Duration.ofSeconds(90));
		assertThat(JobApi.field(refused, "status")).isEqualTo("Failed");
		assertThat(JobApi.number(refused, "resourcesSuccessfullyReindexed")).isZero();
		assertThat(JobApi.number(refused, "resourcesFailed")).isEqualTo(1);
	}

	/** HAPI maps the tenant {@code _ALL} to all partitions: a caller that may use every partition. */
	private JobApi allPartitionsJobApi() {
		String base = baseUrl() + "/_ALL";
		return new JobApi(FHIR.newRestfulGenericClient(base), base, FHIR);
	}

	private List<String> createPatientsIn(String partition, int count) {
		IGenericClient tenant = FHIR.newRestfulGenericClient(baseUrl() + "/" + partition);
		List<String> created = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String id = unique("pp");
			Patient patient = new Patient();
			patient.setId(id);
			patient.addName().setFamily("Family" + partition);
			tenant.update().resource(patient).execute();
			created.add(id);
		}
		return created;
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
