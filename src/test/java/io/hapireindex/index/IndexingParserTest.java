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

	@Test
	void keepsOnlyTheMembersTheWordsNameWithTheirChoiceFormsAndPrimitiveExtensions() {
		Observation obs = new Observation();
		obs.setId("o1");
		obs.getMeta().setVersionId("3");
		obs.setStatus(Observation.ObservationStatus.FINAL);
		obs.getStatusElement().addExtension("http://example.org/why", new StringType("a \"quoted\" } ] value"));
		obs.getCode().setText("code with \"status\": inside");
		obs.setValue(new org.hl7.fhir.r4.model.Quantity(7.5));
		obs.getText().setStatus(Narrative.NarrativeStatus.GENERATED).setDivAsString("<div>narrative</div>");
		obs.addNote().setText("note");
		String json = FHIR.newJsonParser().encodeResourceToString(obs);

		String kept = IndexingParser.keepMembers(json, java.util.Set.of("resourceType", "id", "meta", "status", "value"));

		Observation parsed = FHIR.newJsonParser().parseResource(Observation.class, kept);
		assertThat(parsed.getIdElement().getIdPart()).isEqualTo("o1");
		assertThat(parsed.getMeta().getVersionId()).isEqualTo("3");
		assertThat(parsed.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
		assertThat(parsed.getStatusElement().getExtensionFirstRep().getValue().primitiveValue())
				.isEqualTo("a \"quoted\" } ] value");
		assertThat(parsed.getValueQuantity().getValue().doubleValue()).isEqualTo(7.5);
		assertThat(parsed.hasCode()).isFalse();
		assertThat(parsed.hasNote()).isFalse();
		assertThat(parsed.hasText()).isFalse();
	}

	@Test
	void keptMatchesWholeWordsAndChoiceSuffixesOnly() {
		java.util.Set<String> words = java.util.Set.of("value", "effective", "code");
		assertThat(IndexingParser.kept("valueQuantity", words)).isTrue();
		assertThat(IndexingParser.kept("_effectiveDateTime", words)).isTrue();
		assertThat(IndexingParser.kept("code", words)).isTrue();
		assertThat(IndexingParser.kept("codes", words)).isFalse();
		assertThat(IndexingParser.kept("category", words)).isFalse();
	}

	@Test
	void textThatIsNotAPlainObjectIsLeftWhole() {
		for (String odd : new String[] {"[1,2]", "{\"a\":", "{\"a\" 1}", "{\"a\":\"unterminated}"}) {
			assertThat(IndexingParser.keepMembers(odd, java.util.Set.of("b"))).isSameAs(odd);
		}
		assertThat(IndexingParser.keepMembers(" { \"a\" : [1, {\"x\":2}] , \"b\" : true } ", java.util.Set.of("b")))
				.isEqualTo("{\"b\" : true}");
	}
}
