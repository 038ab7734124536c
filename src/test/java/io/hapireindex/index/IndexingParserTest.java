package io.hapireindex.index;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IndexingParserTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void cutsEveryNarrativeDivAndNothingElse() {
		Observation contained = new Observation();
		contained.setId("c1");
		contained.getText().setStatus(Narrative.NarrativeStatus.GENERATED).setDivAsString("<div>inner \"quoted\" \\ text</div>");
		Observation obs = new Observation();
		obs.getContained().add(contained);
		obs.getText().setStatus(Narrative.NarrativeStatus.GENERATED).setDivAsString("<div>a,\"div\":\"b</div>");
		obs.setValue(new StringType("looks like ,\"div\":\" but is a value"));
		String json = FHIR.newJsonParser().encodeResourceToString(obs);

		String stripped = IndexingParser.withoutNarrative(json);

		Observation parsed = FHIR.newJsonParser().parseResource(Observation.class, stripped);
		assertThat(parsed.getText().getDiv().isEmpty()).isTrue();
		assertThat(parsed.getText().getStatus()).isEqualTo(Narrative.NarrativeStatus.GENERATED);
		assertThat(parsed.getValueStringType().getValue()).isEqualTo("looks like ,\"div\":\" but is a value");
		assertThat(((Observation) parsed.getContained().get(0)).getText().getDiv().isEmpty()).isTrue();
		// removing the narratives again from the stripped text changes nothing
		assertThat(IndexingParser.withoutNarrative(stripped)).isEqualTo(stripped);
	}

	@Test
	void divAsFirstMemberAndNoNarrative() {
		assertThat(IndexingParser.withoutNarrative("{\"text\":{\"div\":\"<div>x</div>\",\"status\":\"generated\"}}"))
				.isEqualTo("{\"text\":{\"status\":\"generated\"}}");
		assertThat(IndexingParser.withoutNarrative("{\"text\":{\"div\":\"<div>x</div>\"}}")).isEqualTo("{\"text\":{}}");
		String plain = "{\"resourceType\":\"Patient\",\"id\":\"1\"}";
		assertThat(IndexingParser.withoutNarrative(plain)).isSameAs(plain);
	}
}
