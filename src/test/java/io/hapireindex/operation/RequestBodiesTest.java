package io.hapireindex.operation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.FhirVersionEnum;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Request bodies of every form and FHIR version, and the checks every start request goes through. */
class RequestBodiesTest {

	private static final String BODY = """
			{"resourceType":"Parameters","parameter":[
			 {"name":"resourceType","valueString":"Patient"},
			 {"name":"maximumConcurrency","valueInteger":3},
			 {"name":"batchSize","valueString":" 20 "},
			 {"name":"url","part":[{"name":"x","valueString":"y"}]}]}
			""";

	@Test
	void aParametersBodyReadsAlikeOnEveryFhirVersion() {
		for (FhirVersionEnum version : List.of(FhirVersionEnum.DSTU3, FhirVersionEnum.R4, FhirVersionEnum.R4B, FhirVersionEnum.R5)) {
			FhirContext ctx = FhirContext.forCached(version);
			IBaseParameters body = (IBaseParameters) ctx.newJsonParser().parseResource(BODY);
			assertThat(RequestBodies.fromParameters(ctx, body)).as(version.name()).containsExactly(
					new GivenParameter("resourceType", "Patient"),
					new GivenParameter("maximumConcurrency", "3"),
					new GivenParameter("batchSize", "20"),
					new GivenParameter("url", null));
		}
	}

	@Test
	void theAdminFormGivesOneParameterPerValueAndLeavesOutEmptyFields() {
		Map<String, Object> form = new LinkedHashMap<>();
		form.put("resourceType", List.of("Patient", " ", "Observation"));
		form.put("maximumConcurrency", 2);
		form.put("url", "");
		form.put("batchSize", null);
		assertThat(RequestBodies.fromForm(form)).containsExactly(
				new GivenParameter("resourceType", "Patient"),
				new GivenParameter("resourceType", "Observation"),
				new GivenParameter("maximumConcurrency", "2"));
	}

	@Test
	void collectKeepsOrderAndNamesTheParameterOfEachProblem() {
		List<String> allowed = List.of("a", "b");
		assertThat(RequestBodies.collect(
						List.of(new GivenParameter("a", "1"), new GivenParameter("b", "2"), new GivenParameter("a", "3")),
						allowed, List.of("a"), "value"))
				.containsExactly(Map.entry("a", List.of("1", "3")), Map.entry("b", List.of("2")));

		assertProblem(() -> RequestBodies.collect(List.of(new GivenParameter("c", "1")), allowed, List.of(), "value"),
				"c", "unknown parameter. Allowed: a, b");
		assertProblem(() -> RequestBodies.collect(List.of(new GivenParameter(null, "1")), allowed, List.of(), "value"),
				"null", "unknown parameter");
		assertProblem(() -> RequestBodies.collect(List.of(new GivenParameter("a", " ")), allowed, List.of(), "valueString"),
				"a", "needs a non-empty valueString");
		assertProblem(() -> RequestBodies.collect(
						List.of(new GivenParameter("b", "1"), new GivenParameter("b", "2")), allowed, List.of("a"), "value"),
				"b", "may be given at most once");
	}

	@Test
	void resourceIdsAreTypeSlashId() {
		assertThat(RequestBodies.resourceIdType("resourceId", "Patient/abc-1.2")).isEqualTo("Patient");
		assertProblem(() -> RequestBodies.resourceIdType("resourceId", "patient/1"), "resourceId", "is not of the form Type/id");
		assertProblem(() -> RequestBodies.resourceIdType("resourceId", "Patient/a b"), "resourceId", "is not of the form Type/id");
		assertProblem(() -> RequestBodies.resourceIdType("resourceId", "Patient"), "resourceId", "is not of the form Type/id");
	}

	@Test
	void errorOutcomesCarryTheParameterAsData() {
		ErrorOutcome bad = ErrorOutcome.of(new InvalidStartParameterException("batchSize", "0 is out of range 1..5000"));
		assertThat(bad.status()).isEqualTo(400);
		assertThat(bad.code()).isEqualTo("invalid");
		assertThat(bad.parameter()).isEqualTo("batchSize");
		assertThat(bad.toJson()).containsEntry("resourceType", "OperationOutcome");
		assertThat(bad.toJson().toString()).contains("expression=[batchSize]");

		ErrorOutcome missing = ErrorOutcome.of(new ResourceNotFoundException("No reindex job with id 'x'"));
		assertThat(missing.code()).isEqualTo("not-found");
		assertThat(missing.parameter()).isNull();
		for (FhirVersionEnum version : List.of(FhirVersionEnum.DSTU3, FhirVersionEnum.R4, FhirVersionEnum.R5)) {
			FhirContext ctx = FhirContext.forCached(version);
			assertThat(ctx.newJsonParser().encodeResourceToString(missing.toResource(ctx))).as(version.name()).isEqualTo(
					"{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"not-found\","
							+ "\"diagnostics\":\"No reindex job with id 'x'\"}]}");
		}
	}

	private static void assertProblem(Runnable call, String parameter, String problem) {
		assertThatThrownBy(call::run)
				.isInstanceOfSatisfying(InvalidStartParameterException.class, e -> {
					assertThat(e.parameter()).isEqualTo(parameter);
					assertThat(e.getMessage()).startsWith("Parameter '" + parameter + "': ").contains(problem);
				});
	}
}
