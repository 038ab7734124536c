package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import io.hapireindex.job.ReindexJob;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every malformed start request gets 400 with an OperationOutcome that names the problem, and no job. */
class StartValidationIT extends HapiServerTestBase {

	@Autowired
	private IJobCoordinator coordinator;

	static Stream<Arguments> badRequests() {
		return Stream.of(
				bad("unknown parameter name", "/$reindex", param("foo", "valueString", "bar"), "'foo'"),
				bad("unknown resource type", "/$reindex", param("resourceType", "valueString", "NotAType"), "resourceType"),
				bad("type in lower case", "/$reindex", param("resourceType", "valueString", "patient"), "resourceType"),
				bad("one unknown type in a list", "/$reindex", param("targetResourceTypes", "valueString", "Patient,Nope"), "targetResourceTypes"),
				bad("url of an unknown type", "/$reindex", param("url", "valueString", "NotAType?x=1"), "url"),
				bad("absolute url", "/$reindex", param("url", "valueString", "http://evil.example/Patient?name=x"), "url"),
				bad("url with an unknown search parameter", "/$reindex", param("url", "valueString", "Patient?nosuchparam=1"), "url"),
				bad("url with SQL in it", "/$reindex", param("url", "valueString", "Patient'; DROP TABLE HFJ_RESOURCE;--"), "url"),
				bad("resourceId without id", "/$reindex", param("resourceId", "valueString", "Patient"), "resourceId"),
				bad("resourceId with a path", "/$reindex", param("resourceId", "valueString", "Patient/../../etc/passwd"), "resourceId"),
				bad("resourceId with SQL", "/$reindex", param("resourceId", "valueString", "Patient/1' OR '1'='1"), "resourceId"),
				bad("resourceId of an unknown type", "/$reindex", param("resourceId", "valueString", "Nope/1"), "resourceId"),
				bad("unknown SearchParameter id", "/$reindex", param("searchParameter", "valueString", "no-such-sp"), "searchParameter"),
				bad("unknown SearchParameter url", "/$reindex", param("targetSearchParameterTypes", "valueString", "http://nope.example/sp"), "targetSearchParameterTypes"),
				bad("partition on a server without partitioning", "/$reindex", param("partitionId", "valueString", "1"), "partitionId"),
				bad("reindexSearchParameters not all/none", "/$reindex", param("reindexSearchParameters", "valueCode", "sometimes"), "reindexSearchParameters"),
				bad("optimizeStorage unknown", "/$reindex", param("optimizeStorage", "valueCode", "MAYBE"), "optimizeStorage"),
				bad("optimisticLock not boolean", "/$reindex", param("optimisticLock", "valueString", "yes"), "optimisticLock"),
				bad("correctCurrentVersion unknown", "/$reindex", param("correctCurrentVersion", "valueCode", "SOME"), "correctCurrentVersion"),
				bad("batchSize 0", "/$reindex", param("batchSize", "valueInteger", "0"), "batchSize"),
				bad("batchSize above 5000", "/$reindex", param("batchSize", "valueInteger", "5001"), "batchSize"),
				bad("page size not a number", "/$reindex", param("maximumNumberOfResourcesPerQuery", "valueString", "abc"), "maximumNumberOfResourcesPerQuery"),
				bad("batchSize and its alias together", "/$reindex", params(
						"{\"name\":\"batchSize\",\"valueInteger\":10}",
						"{\"name\":\"maximumNumberOfResourcesPerQuery\",\"valueInteger\":10}"), "batchSize"),
				bad("maximumConcurrency above 10", "/$reindex", param("maximumConcurrency", "valueInteger", "50"), "maximumConcurrency"),
				bad("maximumConcurrency 0", "/$reindex", param("maximumConcurrency", "valueInteger", "0"), "maximumConcurrency"),
				bad("maximumConcurrency not whole", "/$reindex", param("maximumConcurrency", "valueDecimal", "2.5"), "maximumConcurrency"),
				bad("negative query delay", "/$reindex", param("queryDelayIntervalInMilliseconds", "valueInteger", "-1"), "queryDelayIntervalInMilliseconds"),
				bad("query delay too long", "/$reindex", param("queryDelayIntervalInMilliseconds", "valueInteger", "500001"), "queryDelayIntervalInMilliseconds"),
				bad("data store usage 0", "/$reindex", param("targetDataStoreUsagePercentage", "valueInteger", "0"), "targetDataStoreUsagePercentage"),
				bad("data store usage above 100", "/$reindex", param("targetDataStoreUsagePercentage", "valueInteger", "101"), "targetDataStoreUsagePercentage"),
				bad("a 0..1 parameter twice", "/$reindex", params(
						"{\"name\":\"optimizeStorage\",\"valueCode\":\"NONE\"}",
						"{\"name\":\"optimizeStorage\",\"valueCode\":\"ALL_VERSIONS\"}"), "optimizeStorage"),
				bad("empty value", "/$reindex", param("resourceType", "valueString", ""), "resourceType"),
				bad("non-primitive value", "/$reindex", params(
						"{\"name\":\"url\",\"valueCodeableConcept\":{\"text\":\"Patient?\"}}"), "url"),
				bad("type level naming another type", "/Patient/$reindex", param("resourceType", "valueString", "Observation"), "outside Patient"),
				bad("unicode look-alike type", "/$reindex", param("resourceType", "valueString", "Pätient"), "resourceType"),
				bad("body is not a Parameters", "/$reindex", "{\"resourceType\":\"Patient\",\"active\":true}", "Parameters"),
				bad("body is not FHIR", "/$reindex", "this is not json", ""));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRequests")
	void isRejectedWith400AndNoJob(String why, String path, String body, String mentions) {
		int jobsBefore = coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0).size();

		JobApi.Answer answer = jobs.post(path, body);

		assertThat(answer.status()).as(why).isEqualTo(400);
		assertThat(answer.outcome().getIssueFirstRep().getDiagnostics()).as(why).contains(mentions);
		assertThat(coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0))
				.as("no job for: %s", why)
				.hasSize(jobsBefore);
	}

	private static Arguments bad(String why, String path, String body, String mentions) {
		return Arguments.of(why, path, body, mentions);
	}

	private static String param(String name, String valueType, String value) {
		boolean number = valueType.equals("valueInteger") || valueType.equals("valueDecimal");
		String json = number && value.matches("-?[0-9.]+") ? value : "\"" + value + "\"";
		return params("{\"name\":\"" + name + "\",\"" + valueType + "\":" + json + "}");
	}

	private static String params(String... parameters) {
		return "{\"resourceType\":\"Parameters\",\"parameter\":[" + String.join(",", parameters) + "]}";
	}
}
