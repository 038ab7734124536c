package io.hapireindex.config;

import ca.uhn.fhir.rest.server.RestfulServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ClassPathResource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The auto-configuration's conditions, without a HAPI server (which the ITs provide). */
class ReindexAutoConfigurationTest {

	private final ApplicationContextRunner runner =
			new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ReindexAutoConfiguration.class));

	@Test
	void isListedForSpringBoot() throws Exception {
		String imports = new ClassPathResource(
						"META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")
				.getContentAsString(StandardCharsets.UTF_8);
		assertThat(imports.lines().map(String::trim)).contains(ReindexAutoConfiguration.class.getName());
	}

	@Test
	void everyFeatureIsAnAutoConfigurationOfItsOwnAndInThePlainSpringImport() throws Exception {
		List<String> imports = new ClassPathResource(
						"META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")
				.getContentAsString(StandardCharsets.UTF_8)
				.lines()
				.map(String::trim)
				.filter(l -> !l.isEmpty())
				.toList();
		List<Class<?>> features = List.of(ReindexModuleConfiguration.class.getAnnotation(Import.class).value());
		assertThat(features).hasSizeGreaterThanOrEqualTo(8);
		for (Class<?> feature : features) {
			assertThat(imports).as("listed for Spring Boot").contains(feature.getName());
			AutoConfiguration auto = feature.getAnnotation(AutoConfiguration.class);
			assertThat(auto).as(feature.getSimpleName() + " is an @AutoConfiguration").isNotNull();
			assertThat(auto.value()).as("bean name of " + feature.getSimpleName()).startsWith("hapiFhirReindex");
			assertThat(feature.isAnnotationPresent(ConditionalOnReindexModule.class))
					.as(feature.getSimpleName() + " follows hapi-fhir-reindex.enabled")
					.isTrue();
		}
	}

	@Test
	void backsOffWhenDisabled() {
		runner.withPropertyValues("hapi-fhir-reindex.enabled=false").run(context -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ReindexModuleConfiguration.class);
			assertThat(context).doesNotHaveBean(RestfulServerRegistrar.class);
		});
	}

	@Test
	void backsOffWithoutHapiRestfulServer() {
		runner.withClassLoader(new FilteredClassLoader(RestfulServer.class)).run(context -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ReindexModuleConfiguration.class);
		});
	}
}
