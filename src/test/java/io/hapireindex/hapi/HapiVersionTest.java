package io.hapireindex.hapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tested HAPI versions are said once in code (the startup WARN) and once in the descriptor, alike. */
class HapiVersionTest {

	@Test
	void theDescriptorListsTheVersionsTheStartupCheckKnows() throws IOException {
		JsonNode descriptor = new ObjectMapper().readTree(Path.of("plugin-descriptor/hapi-fhir-reindex.json").toFile());
		List<String> listed = new ArrayList<>();
		descriptor.path("hapiFhirVersions").forEach(v -> listed.add(v.asText()));
		assertThat(listed).as("plugin-descriptor hapiFhirVersions vs HapiVersion.TESTED").isEqualTo(HapiVersion.TESTED);
		descriptor.path("hapiFhirVersionsNotSupported").forEach(v -> assertThat(HapiVersion.TESTED)
				.as("a version the descriptor says is not supported").doesNotContain(v.path("version").asText()));
	}

	@Test
	void onlyTheListedVersionsAreTested() {
		assertThat(HapiVersion.isTested("8.8.0")).isTrue();
		assertThat(HapiVersion.isTested("8.4.0")).isFalse();
		assertThat(HapiVersion.isTested("8.10.0")).isFalse();
	}
}
