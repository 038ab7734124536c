package io.hapireindex.it.core;

import io.hapireindex.it.HapiDatabase;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Instance {@code $reindex-dryrun} and {@code $reindex} on every FHIR version: the diff, the rows, nothing else. */
class InstanceReindexCoreIT extends CoreServerBase {

	@Test
	void dryRunReportsTheMissingRowAndReindexWritesItWithoutANewVersion() {
		String id = unique("core-inst");
		String family = unique("Fam");
		putPatient(id, family, "Boston");
		String code = "corefam" + id.substring(id.length() - 8).replace("-", "");
		putFamilyParameter(unique("core-sp"), code);
		HapiDatabase.StoredResource before = db.stored("Patient", id);
		assertThat(stringRows("Patient", id, code)).isEmpty();

		Answer dry = http("GET", "/Patient/" + id + "/$reindex-dryrun?code=" + code, null);
		assertThat(dry.status()).as(dry.body()).isEqualTo(200);
		IBaseParameters dryReport = dry.parameters();
		assertThat(value(dryReport, "Narrative")).contains("ADD").contains(code);
		assertThat(rowsOf(dryReport, "StringIndexes")).singleElement().satisfies(row ->
				assertThat(row).contains("Action=ADD").contains("Type=String"));
		assertThat(stringRows("Patient", id, code)).as("a dry run writes nothing").isEmpty();

		Answer done = http("POST", "/Patient/" + id + "/$reindex", null);
		assertThat(done.status()).as(done.body()).isEqualTo(200);
		IBaseParameters report = done.parameters();
		assertThat(rowsOf(report, "StringIndexes")).anySatisfy(row ->
				assertThat(row).contains("Action=ADD").contains("Type=String"));
		assertThat(rowsOf(report, "StringIndexes")).anySatisfy(row -> assertThat(row).contains("Action=NO_CHANGE"));
		assertThat(stringRows("Patient", id, code)).singleElement().satisfies(row ->
				assertThat(row).startsWith(family + "|"));

		HapiDatabase.StoredResource after = db.stored("Patient", id);
		assertThat(after.version()).isEqualTo(before.version());
		assertThat(after.updated()).isEqualTo(before.updated());
		assertThat(after.versionRows()).isEqualTo(before.versionRows());
		assertThat(after.body()).isEqualTo(before.body());
	}

	@Test
	void anUnknownCodeIsA400NamingTheParameter() {
		String id = unique("core-inst");
		putPatient(id, "Unknown", "Boston");
		Answer bad = http("GET", "/Patient/" + id + "/$reindex-dryrun?code=no-such-code", null);
		assertThat(bad.status()).isEqualTo(400);
		assertThat(bad.resource().fhirType()).isEqualTo("OperationOutcome");
		assertThat(bad.body()).contains("Parameter 'code'");
	}

	/** The rows of one section of a report, each as its parts' "name=value" joined. */
	private List<String> rowsOf(IBaseParameters report, String section) {
		var terser = fhir.newTerser();
		return terser.getValues(report, "parameter").stream()
				.filter(p -> section.equals(terser.getSinglePrimitiveValueOrNull(p, "name")))
				.flatMap(p -> terser.getValues(p, "part").stream())
				.map((IBase row) -> terser.getSinglePrimitiveValueOrNull(row, "name") + " " + parts(row))
				.toList();
	}
}
