package io.hapireindex.it;

import ca.uhn.fhir.jpa.entity.PartitionEntity;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.hapireindex.testhost.HapiTestServer;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.SearchParameter;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With HAPI partitioning on (tenant = first URL segment), the instance operations read the resource in the
 * request's partition only, and a job reads exactly the partitions it was started for, counting each on its
 * own status row. The tenant {@code _ALL} is HAPI's all-partitions caller (RequestTenantPartitionInterceptor).
 */
@SpringBootTest(
		classes = HapiTestServer.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "test.partitioning=true")
class PartitionedInstanceReindexIT extends HapiServerTestBase {

	@Autowired
	private IPartitionLookupSvc partitions;

	@Autowired
	private PartitionSettings partitionSettings;

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
	void aJobOverTwoPartitionsReadsThoseOnlyAndCountsEachOnItsOwnRow() {
		String a = createPartition("lista");
		String b = createPartition("listb");
		String c = createPartition("listc");
		Map<String, List<String>> ids = new LinkedHashMap<>();
		ids.put(a, createPatientsIn(a, 2));
		ids.put(b, createPatientsIn(b, 3));
		ids.put(c, createPatientsIn(c, 1));
		ids.put("DEFAULT", createPatientsIn("DEFAULT", 2));
		// rows the job has to put back: in A and B it does, in C and DEFAULT nothing may touch them
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Map<String, HapiDatabase.StoredResource> before = new LinkedHashMap<>();
		ids.values().stream().flatMap(List::stream).forEach(id -> {
			before.put(id, db.stored("Patient", id));
			jdbc.update("DELETE FROM HFJ_SPIDX_STRING WHERE RES_ID = ? AND SP_NAME = 'family'", db.pid("Patient", id));
		});

		JobApi allJobs = allPartitionsJobApi();
		Parameters start = new Parameters();
		start.addParameter("resourceType", new StringType("Patient"));
		start.addParameter("partitionId", new StringType(a));
		start.addParameter("partitionId", new StringType(b));
		Parameters status = allJobs.awaitCompleted(allJobs.start(null, start));

		assertThat(JobApi.field(status, "partition")).isEqualTo(a + "," + b);
		Map<String, Long> inDatabase = patientsByPartition();
		assertThat(stateByPartition(status, "count"))
				.containsExactly(Map.entry(a, inDatabase.get(a)), Map.entry(b, inDatabase.get(b)));
		assertThat(stateByPartition(status, "reindexed")).isEqualTo(stateByPartition(status, "count"));
		assertThat(inDatabase.get(a)).isEqualTo(2);
		assertThat(inDatabase.get(b)).isEqualTo(3);
		assertThat(JobApi.number(status, "totalResourcesToReindex")).isEqualTo(5);
		assertThat(JobApi.number(status, "resourcesChanged")).isEqualTo(5);

		ids.forEach((partition, inPartition) -> inPartition.forEach(id -> {
			boolean read = partition.equals(a) || partition.equals(b);
			assertThat(db.stringRows(db.pid("Patient", id), "family"))
					.as("family row of %s in %s", id, partition)
					.hasSize(read ? 1 : 0);
			assertThat(db.stored("Patient", id)).as("%s in %s", id, partition).isEqualTo(before.get(id));
		}));
	}

	@Test
	void anAllPartitionsJobHasOneRowPerPartition() {
		String a = createPartition("alla");
		String b = createPartition("allb");
		String family = unique("Everywhere").replace("-", "");
		createPatientsIn(a, 2, family);
		createPatientsIn(b, 4, family);
		createPatientsIn("DEFAULT", 1, family);

		JobApi allJobs = allPartitionsJobApi();
		Parameters start = new Parameters();
		start.addParameter("resourceType", new StringType("Patient"));
		start.addParameter("partitionId", new StringType("_ALL"));
		Parameters status = allJobs.awaitCompleted(allJobs.start(null, start));

		assertThat(JobApi.field(status, "partition")).isEqualTo("_ALL");
		Map<String, Long> inDatabase = patientsByPartition();
		assertThat(inDatabase).containsKeys("DEFAULT", a, b);
		Map<String, Long> counted = stateByPartition(status, "count");
		// every partition HAPI knows has a row; those without patients count 0
		Map<String, Long> withPatients = new TreeMap<>(counted);
		withPatients.values().removeIf(n -> n == 0);
		assertThat(withPatients).isEqualTo(new TreeMap<>(inDatabase));
		assertThat(counted).containsKeys("DEFAULT", a, b);
		assertThat(stateByPartition(status, "reindexed")).isEqualTo(counted);
		long total = inDatabase.values().stream().mapToLong(Long::longValue).sum();
		assertThat(counted.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
		assertThat(JobApi.number(status, "totalResourcesToReindex")).isEqualTo(total);

		// a search is split the same way, and each partition's search finds its own patients only
		Parameters search = new Parameters();
		search.addParameter("url", new StringType("Patient?family=" + family));
		Parameters searched = allJobs.awaitCompleted(allJobs.start(null, search));
		Map<String, Long> found = new TreeMap<>(stateByPartition(searched, "count"));
		assertThat(found.keySet()).isEqualTo(counted.keySet());
		found.values().removeIf(n -> n == 0);
		assertThat(found).isEqualTo(Map.of(a, 2L, b, 4L, "DEFAULT", 1L));
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

	@Test
	void anAllPartitionsJobSplitPerPartitionStillMakesASearchParameterReady() {
		String a = createPartition("spa");
		String family = unique("Ready").replace("-", "");
		createPatientsIn(a, 2, family);
		createPatientsIn("DEFAULT", 1, family);
		String code = unique("fam").replace("-", "");
		SearchParameter sp = new SearchParameter();
		sp.setId("SearchParameter/" + code);
		sp.setUrl("http://example.org/fhir/SearchParameter/" + code);
		sp.setName(code);
		sp.setCode(code);
		sp.addBase("Patient");
		sp.setType(Enumerations.SearchParamType.STRING);
		sp.setExpression("Patient.name.family");
		sp.setStatus(Enumerations.PublicationStatus.ACTIVE);
		FHIR.newRestfulGenericClient(baseUrl() + "/DEFAULT").update().resource(sp).execute();
		searchParamRegistry.forceRefresh();
		JobApi allJobs = allPartitionsJobApi();
		assertThat(readiness(allJobs, sp.getUrl())).isEqualTo("pending");

		// one partition is not every partition
		Parameters onePartition = new Parameters();
		onePartition.addParameter("resourceType", new StringType("Patient"));
		onePartition.addParameter("partitionId", new StringType(a));
		allJobs.awaitCompleted(allJobs.start(null, onePartition));
		assertThat(readiness(allJobs, sp.getUrl())).isEqualTo("pending");

		Parameters everywhere = new Parameters();
		everywhere.addParameter("resourceType", new StringType("Patient"));
		Parameters status = allJobs.awaitCompleted(allJobs.start(null, everywhere));
		assertThat(JobApi.repeated(status, "stateByPartition")).hasSizeGreaterThan(1);
		assertThat(readiness(allJobs, sp.getUrl())).isEqualTo("ready");
		Bundle found = FHIR.newRestfulGenericClient(baseUrl() + "/_ALL").search()
				.byUrl("Patient?" + code + "=" + family)
				.returnBundle(Bundle.class)
				.execute();
		assertThat(found.getEntry()).filteredOn(e -> e.getResource() instanceof Patient).hasSize(3);
	}

	private static String readiness(JobApi api, String url) {
		JobApi.Answer answer = api.get("/SearchParameter/$status?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
		assertThat(answer.status()).isEqualTo(200);
		return JobApi.repeated(answer.parameters(), "searchParameter").get(0).getPart().stream()
				.filter(p -> p.getName().equals("status"))
				.map(p -> p.getValue().primitiveValue())
				.findFirst()
				.orElseThrow();
	}

	/** HAPI maps the tenant {@code _ALL} to all partitions: a caller that may use every partition. */
	private JobApi allPartitionsJobApi() {
		String base = baseUrl() + "/_ALL";
		return new JobApi(FHIR.newRestfulGenericClient(base), base, FHIR);
	}

	private List<String> createPatientsIn(String partition, int count) {
		return createPatientsIn(partition, count, "Family" + partition);
	}

	private List<String> createPatientsIn(String partition, int count, String family) {
		IGenericClient tenant = FHIR.newRestfulGenericClient(baseUrl() + "/" + partition);
		List<String> created = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String id = unique("pp");
			Patient patient = new Patient();
			patient.setId(id);
			patient.addName().setFamily(family);
			tenant.update().resource(patient).execute();
			created.add(id);
		}
		return created;
	}

	/** Live patients per partition name, as stored: the default partition may be NULL or its id. */
	private Map<String, Long> patientsByPartition() {
		Map<String, Long> byName = new TreeMap<>();
		new JdbcTemplate(dataSource).query(
				"SELECT PARTITION_ID, COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND RES_DELETED_AT IS NULL"
						+ " GROUP BY PARTITION_ID",
				rs -> {
					Integer id = (Integer) rs.getObject(1, Integer.class);
					String name = id == null || Objects.equals(id, partitionSettings.getDefaultPartitionId())
							? "DEFAULT"
							: partitions.getPartitionById(id).getName();
					byName.merge(name, rs.getLong(2), Long::sum);
				});
		return byName;
	}

	/** One part of each stateByPartition row, by partition, in the status's order. */
	private static Map<String, Long> stateByPartition(Parameters status, String part) {
		Map<String, Long> rows = new LinkedHashMap<>();
		for (Parameters.ParametersParameterComponent row : JobApi.repeated(status, "stateByPartition")) {
			String partition = JobApi.part(row, "partition");
			assertThat(rows).as("rows of partition %s", partition).doesNotContainKey(partition);
			rows.put(partition, Long.parseLong(JobApi.part(row, part)));
		}
		return rows;
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
