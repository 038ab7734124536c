package io.hapireindex.hapi;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HAPI's terser returns the containment result kept on a resource instead of walking it again, which
 * {@link NothingToContain} relies on; and a stored resource with contained resources is left to HAPI's walk.
 */
class NothingToContainContractIT {

	private static final FhirContext CONTEXT = FhirContext.forR4Cached();

	@Test
	void theTerserTakesTheMarkOfAStoredResourceWithoutContainedResources() {
		Observation stored = parse("{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\","
				+ "\"subject\":{\"reference\":\"Patient/p1\"},\"code\":{\"text\":\"x\"}}");
		assertThat(NothingToContain.active()).as("HAPI's terser has its containment result key").isTrue();

		NothingToContain.markParsed(stored);
		Object mark = NothingToContain.markOf(stored);
		assertThat(mark).isNotNull();
		FhirTerser.ContainedResources result = CONTEXT.newTerser().containResources(stored, null, true);
		assertThat(result).as("the terser answered with the mark, without walking").isSameAs(mark);
		assertThat(result.isEmpty()).isTrue();
	}

	@Test
	void aStoredResourceWithContainedResourcesIsLeftToHapisWalk() {
		Observation stored = parse("{\"resourceType\":\"Observation\",\"id\":\"o2\",\"status\":\"final\","
				+ "\"contained\":[{\"resourceType\":\"Patient\",\"id\":\"p1\",\"active\":true}],"
				+ "\"subject\":{\"reference\":\"#p1\"},\"code\":{\"text\":\"x\"}}");

		NothingToContain.markParsed(stored);
		assertThat(NothingToContain.markOf(stored)).isNull();
		FhirTerser.ContainedResources result = CONTEXT.newTerser().containResources(stored, null, true);
		assertThat(result.getContainedResources()).hasSize(1);
	}

	private static Observation parse(String json) {
		return CONTEXT.newJsonParser().parseResource(Observation.class, json);
	}
}
