package io.hapireindex.it;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstanceReindexIT extends HapiServerTestBase {

	@Test
	void customParameterAddedAfterDataIsFoundOnlyAfterInstanceReindex() {
		String patientId = unique("pat");
		String city = unique("Springfield");
		Patient patient = new Patient();
		patient.setId(patientId);
		patient.addName().setFamily("Doe").addGiven("Jane");
		patient.addExtension(BIRTH_PLACE, new Address().setCity(city).setCountry("US"));
		client.update().resource(patient).execute();
		HapiDatabase.StoredResource before = db.stored("Patient", patientId);

		String code = unique("birthplace");
		putSearchParameter(code, code, "Patient", Enumerations.SearchParamType.STRING,
				"Patient.extension('" + BIRTH_PLACE + "').value.as(Address).city");

		assertThat(searchCount("Patient?" + code + "=" + city)).as("search before reindex").isZero();

		ReindexReport dryRun = dryRun(new IdType("Patient", patientId), code);
		assertThat(dryRun.rows("StringIndexes", code, "ADD")).hasSize(1);
		assertThat(dryRun.rows("StringIndexes", code, "ADD").get(0).values())
				.containsEntry("ValueExact", city);
		assertThat(dryRun.rows()).allMatch(r -> r.param().equals(code), "dry-run restricted to code");
		assertThat(db.stringRows(before.pid(), code)).as("dry-run writes nothing").isEmpty();

		ReindexReport reindex = reindex(new IdType("Patient", patientId));
		assertThat(reindex.rows("StringIndexes", code, "ADD")).hasSize(1);
		assertThat(reindex.count("REMOVE")).isZero();
		assertThat(reindex.rows("StringIndexes", "family", "NO_CHANGE")).hasSize(1);

		assertThat(searchCount("Patient?" + code + "=" + city)).as("search after reindex").isEqualTo(1);
		Set<String> expected = dryRun.rows("StringIndexes", code, "ADD").stream()
				.map(r -> r.values().get("ValueExact") + "|" + r.values().get("ValueNormalized"))
				.collect(Collectors.toCollection(TreeSet::new));
		assertThat(db.stringRows(before.pid(), code)).as("stored rows equal the dry-run").isEqualTo(expected);

		assertThat(db.stored("Patient", patientId)).as("no new version, same lastUpdated and body").isEqualTo(before);
		assertThat(dryRun(new IdType("Patient", patientId)).rows())
				.as("after reindex nothing is left to add or remove")
				.allMatch(r -> r.action().equals("NO_CHANGE"));
	}

	@Test
	void changedExpressionIsReportedAsRemoveOfOldValueAndAddOfNew() {
		String obsId = unique("obs");
		Observation obs = new Observation();
		obs.setId(obsId);
		obs.setStatus(Observation.ObservationStatus.FINAL);
		obs.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
		obs.setMethod(concept("http://example.org/method", "manual"));
		obs.setBodySite(concept("http://snomed.info/sct", "368209003"));
		client.update().resource(obs).execute();
		long pid = db.pid("Observation", obsId);

		String code = unique("obs-technique");
		putSearchParameter(code, code, "Observation", Enumerations.SearchParamType.TOKEN, "Observation.method");
		reindex(new IdType("Observation", obsId));
		assertThat(db.tokenRows(pid, code)).containsExactly("http://example.org/method|manual");
		HapiDatabase.StoredResource before = db.stored("Observation", obsId);
		var otherTokenRowIds = db.rowIds("HFJ_SPIDX_TOKEN", pid);

		putSearchParameter(code, code, "Observation", Enumerations.SearchParamType.TOKEN, "Observation.bodySite");

		ReindexReport dryRun = dryRun(new IdType("Observation", obsId));
		assertThat(dryRun.rows("TokenIndexes", code, "REMOVE")).singleElement()
				.satisfies(r -> assertThat(r.values()).containsEntry("Value", "manual"));
		assertThat(dryRun.rows("TokenIndexes", code, "ADD")).singleElement()
				.satisfies(r -> assertThat(r.values()).containsEntry("Value", "368209003"));

		ReindexReport reindex = reindex(new IdType("Observation", obsId));
		// HAPI's own report shows this as one NO_CHANGE row carrying the new value
		assertThat(reindex.rows("TokenIndexes", code, "REMOVE")).singleElement()
				.satisfies(r -> assertThat(r.values()).containsEntry("System", "http://example.org/method")
						.containsEntry("Value", "manual"));
		assertThat(reindex.rows("TokenIndexes", code, "ADD")).singleElement()
				.satisfies(r -> assertThat(r.values()).containsEntry("System", "http://snomed.info/sct")
						.containsEntry("Value", "368209003"));
		assertThat(reindex.rows("TokenIndexes", code, "NO_CHANGE")).isEmpty();
		assertThat(reindex.rows("TokenIndexes", "code", "NO_CHANGE")).isNotEmpty();

		assertThat(db.tokenRows(pid, code)).containsExactly("http://snomed.info/sct|368209003");
		assertThat(db.stored("Observation", obsId)).isEqualTo(before);
		assertThat(db.rowIds("HFJ_SPIDX_TOKEN", pid)).as("only the changed row is rewritten")
				.hasSize(otherTokenRowIds.size());
	}

	@Test
	void narrativeShowsEverySectionIncludingDatesAndCoordinates() {
		String locationId = unique("loc");
		Location location = new Location();
		location.setId(locationId);
		location.setName("Main clinic");
		location.getPosition().setLatitude(42.3601).setLongitude(-71.0589);
		client.update().resource(location).execute();
		String patientId = unique("pat");
		Patient patient = new Patient();
		patient.setId(patientId);
		patient.addName().setFamily("Narrative");
		patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1980-05-06"));
		client.update().resource(patient).execute();

		ReindexReport locationReport = dryRun(new IdType("Location", locationId));
		assertThat(locationReport.rows("CoordinateIndexes", "near", "NO_CHANGE")).singleElement()
				.satisfies(r -> assertThat(r.values()).containsEntry("Latitude", "42.3601")
						.containsEntry("Longitude", "-71.0589"));
		assertThat(locationReport.narrative()).contains("CoordinateIndexes").contains("42.3601");

		ReindexReport patientReport = reindex(new IdType("Patient", patientId));
		assertThat(patientReport.rows("DateIndexes", "birthdate", "NO_CHANGE")).hasSize(1);
		assertThat(patientReport.narrative())
				.contains("DateIndexes", "StringIndexes", "TokenIndexes", "birthdate", "Narrative")
				.startsWith("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
		assertThat(patientReport.messages()).anyMatch(m -> m.startsWith("Reindex completed"));
	}

	@Test
	void unknownIdIs404DeletedIs410AndGetOnReindexIs405() {
		assertError(() -> dryRun(new IdType("Patient", unique("missing"))), 404, "is not known");
		assertError(() -> reindex(new IdType("Patient", unique("missing"))), 404, "is not known");

		String patientId = unique("gone");
		client.update().resource(new Patient().setActive(true).setId(patientId)).execute();
		client.delete().resourceById(new IdType("Patient", patientId)).execute();
		assertError(() -> reindex(new IdType("Patient", patientId)), 410, "deleted");
		assertError(() -> dryRun(new IdType("Patient", patientId)), 410, "deleted");

		client.update().resource(new Patient().setActive(true).setId(patientId + "x")).execute();
		assertError(
				() -> client.operation()
						.onInstance(new IdType("Patient", patientId + "x"))
						.named("$reindex")
						.withNoParameters(Parameters.class)
						.useHttpGet()
						.execute(),
				405,
				"POST");
	}

	@Test
	void unknownTypeAndUnknownCodeAreRejected() {
		assertError(
				() -> client.operation()
						.onInstance(new IdType("NotAType", "1"))
						.named("$reindex-dryrun")
						.withNoParameters(Parameters.class)
						.execute(),
				404,
				"NotAType");

		String patientId = unique("pat");
		client.update().resource(new Patient().setActive(true).setId(patientId)).execute();
		assertError(() -> dryRun(new IdType("Patient", patientId), "no-such-param"), 400, "code");
	}

	@Test
	void reindexOfAnUnchangedResourceChangesNothing() {
		String patientId = unique("pat");
		Patient patient = new Patient();
		patient.setId(patientId);
		patient.addName().setFamily("Stable").addGiven("Sam");
		patient.addIdentifier().setSystem("http://example.org/mrn").setValue(patientId);
		client.update().resource(patient).execute();
		HapiDatabase.StoredResource before = db.stored("Patient", patientId);
		var tokenIds = db.rowIds("HFJ_SPIDX_TOKEN", before.pid());
		var stringIds = db.rowIds("HFJ_SPIDX_STRING", before.pid());

		ReindexReport report = reindex(new IdType("Patient", patientId));

		assertThat(report.count("ADD")).isZero();
		assertThat(report.count("REMOVE")).isZero();
		assertThat(report.rows("TokenIndexes", "identifier", "NO_CHANGE")).hasSize(1);
		assertThat(db.stored("Patient", patientId)).isEqualTo(before);
		assertThat(db.rowIds("HFJ_SPIDX_TOKEN", before.pid())).isEqualTo(tokenIds);
		assertThat(db.rowIds("HFJ_SPIDX_STRING", before.pid())).isEqualTo(stringIds);
	}

	private ReindexReport dryRun(IdType id, String... codes) {
		Parameters in = new Parameters();
		for (String code : codes) {
			in.addParameter("code", new CodeType(code));
		}
		return ReindexReport.of(client.operation()
				.onInstance(id)
				.named("$reindex-dryrun")
				.withParameters(in)
				.execute());
	}

	private ReindexReport reindex(IdType id) {
		return ReindexReport.of(client.operation()
				.onInstance(id)
				.named("$reindex")
				.withNoParameters(Parameters.class)
				.execute());
	}

	private static CodeableConcept concept(String system, String code) {
		CodeableConcept concept = new CodeableConcept();
		concept.addCoding().setSystem(system).setCode(code);
		return concept;
	}


	private static void assertError(Runnable call, int status, String messagePart) {
		assertThatThrownBy(call::run)
				.isInstanceOfSatisfying(BaseServerResponseException.class, e -> {
					assertThat(e.getStatusCode()).isEqualTo(status);
					assertThat(e.getOperationOutcome()).isInstanceOf(OperationOutcome.class);
					OperationOutcome oo = (OperationOutcome) e.getOperationOutcome();
					assertThat(oo.getIssueFirstRep().getDiagnostics()).contains(messagePart);
				});
	}
}
