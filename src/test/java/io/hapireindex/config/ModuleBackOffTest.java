package io.hapireindex.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.rest.server.RestfulServer;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.operation.HapiReindexBindingFilter;
import io.hapireindex.startup.ErrorLines;
import io.hapireindex.startup.ModuleReadiness;
import io.hapireindex.startup.StartupCheck;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hosts on which the module cannot run still start, and get nothing of it: a host without HAPI's JPA beans, a FHIR
 * version the module does not bind on, a part that cannot be built. {@code ModuleBackOffIT} shows the same on a real
 * HAPI server, with HAPI's own {@code $reindex} answering.
 */
class ModuleBackOffTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ReindexAutoConfiguration.class));

	/** A FHIR server with HAPI's RestfulServer but no JPA storage or batch2 (e.g. a plain HAPI facade). */
	@Configuration(proxyBeanMethods = false)
	static class PlainServerHost {
		@Bean
		FhirContext fhirContext() {
			return FhirContext.forR4Cached();
		}

		@Bean
		RestfulServer restfulServer(FhirContext fhirContext) {
			return new RestfulServer(fhirContext);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Dstu2PlainServerHost {
		@Bean
		FhirContext fhirContext() {
			return FhirContext.forDstu2Cached();
		}
	}

	@Test
	void aHostWithoutHapisJpaBeansStartsWithNothingOfTheModuleAndOneErrorNamingWhatIsMissing() {
		try (ErrorLines errors = new ErrorLines()) {
			runner.withUserConfiguration(PlainServerHost.class).run(context -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ReindexJobService.class);
				assertThat(context.getBean(ModuleReadiness.class).failures())
						.singleElement()
						.asString()
						.contains("ca.uhn.fhir.batch2.api.IJobCoordinator", "ca.uhn.fhir.jpa.api.dao.DaoRegistry");
				RestfulServer server = context.getBean(RestfulServer.class);
				assertThat(server.getResourceProviders()).isEmpty();
				assertThat(server.getPlainProviders()).isEmpty();
				assertThat(server.getInterceptorService().getAllRegisteredInterceptors()).isEmpty();
			});
			assertThat(errors.messages())
					.singleElement()
					.asString()
					.contains("hapi-fhir-reindex is off on this server", "IJobCoordinator", "JpaBatch2Config");
		}
	}

	@Test
	void anUnsupportedFhirVersionIsNamedWithTheSupportedOnes() {
		runner.withUserConfiguration(Dstu2PlainServerHost.class).run(context -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(ModuleReadiness.class).failures())
					.anySatisfy(f -> assertThat(f).contains("FHIR version is DSTU2", "[DSTU3, R4, R4B, R5]", "hapi.fhir.fhir_version"));
		});
	}

	@Test
	void aFailingOrThrowingCheckMakesTheModuleBackOffAndIsReportedOnce() {
		StartupCheck failing = () -> Optional.of("the module's schema step failed (test)");
		StartupCheck throwing = () -> {
			throw new NoSuchMethodError("ca.uhn.fhir.SomeHapiClass.gone()");
		};
		try (ErrorLines errors = new ErrorLines()) {
			runner.withUserConfiguration(PlainServerHost.class)
					.withBean("failingCheck", StartupCheck.class, () -> failing)
					.withBean("throwingCheck", StartupCheck.class, () -> throwing)
					.run(context -> {
						ModuleReadiness readiness = context.getBean(ModuleReadiness.class);
						assertThat(readiness.isReady()).isFalse();
						assertThat(readiness.failures())
								.anySatisfy(f -> assertThat(f).isEqualTo("the module's schema step failed (test)"))
								.anySatisfy(f -> assertThat(f).contains("could not run", "SomeHapiClass.gone"));
					});
			assertThat(errors.messages()).hasSize(1);
		}
	}

	/** A module whose checks pass, with one server part that cannot be built. */
	@Configuration(proxyBeanMethods = false)
	static class BrokenPart {
		@Bean
		static RestfulServerRegistrar registrar(
				org.springframework.beans.factory.ObjectProvider<ModuleReadiness> readiness,
				org.springframework.beans.factory.ObjectProvider<ReindexProperties> properties) {
			return new RestfulServerRegistrar(readiness, properties);
		}

		@Bean
		ModuleReadiness readiness(org.springframework.beans.factory.ObjectProvider<StartupCheck> checks) {
			return new ModuleReadiness(checks);
		}

		@Bean
		@Lazy
		@ServerInterceptor(order = 1)
		Object fineInterceptor() {
			return new ResponseHeaderInterceptorForTest();
		}

		@Bean
		@Lazy
		@ServerProvider
		Object brokenProvider() {
			throw new IllegalStateException("cannot build this provider (test)");
		}
	}

	@ca.uhn.fhir.interceptor.api.Interceptor
	static class ResponseHeaderInterceptorForTest {}

	@Test
	void aPartThatCannotBeBuiltLeavesTheServerWithoutAnyOfTheModule() {
		try (ErrorLines errors = new ErrorLines()) {
			new ApplicationContextRunner().withUserConfiguration(BrokenPart.class, PlainServerHost.class).run(context -> {
				assertThat(context).hasNotFailed();
				RestfulServer server = context.getBean(RestfulServer.class);
				IInterceptorService interceptors = server.getInterceptorService();
				assertThat(interceptors.getAllRegisteredInterceptors())
						.noneMatch(i -> i instanceof HapiReindexBindingFilter)
						.noneMatch(i -> i instanceof ResponseHeaderInterceptorForTest);
				assertThat(server.getPlainProviders()).isEmpty();
			});
			assertThat(errors.messages())
					.singleElement()
					.asString()
					.contains("could not be built", "cannot build this provider (test)");
		}
	}
}
