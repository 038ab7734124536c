package io.hapireindex.config;

import ca.uhn.fhir.context.FhirContext;
import io.hapireindex.hapi.HapiApi;
import io.hapireindex.startup.FhirVersionCheck;
import io.hapireindex.startup.ModuleReadiness;
import io.hapireindex.startup.ModuleService;
import io.hapireindex.startup.ModuleStarter;
import io.hapireindex.startup.RequiredHapiBeansCheck;
import io.hapireindex.startup.StartupCheck;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * What the module needs on every host, HAPI JPA server or not: its settings, the startup checks and the readiness
 * they decide, the starter of its background services, and the registrar that puts its parts on the host's
 * {@code RestfulServer}. Nothing here needs a HAPI bean, so on a host that lacks one the module still says why it
 * backs off instead of failing the host.
 */
@AutoConfiguration(value = "hapiFhirReindexStartupAutoConfiguration", after = ReindexAutoConfiguration.class)
@ConditionalOnReindexModule
public class ModuleStartupAutoConfiguration {

	@Bean
	public static RestfulServerRegistrar hapiFhirReindexRestfulServerRegistrar(
			ObjectProvider<ModuleReadiness> readiness, ObjectProvider<ReindexProperties> properties) {
		return new RestfulServerRegistrar(readiness, properties);
	}

	/** A plain Spring host that binds the settings itself brings its own bean. */
	@Bean
	@ConditionalOnMissingBean(ReindexProperties.class)
	public ReindexProperties hapiFhirReindexProperties() {
		return new ReindexProperties();
	}

	@Bean
	public ModuleReadiness hapiFhirReindexReadiness(ObjectProvider<StartupCheck> checks) {
		return new ModuleReadiness(checks);
	}

	@Bean
	public ModuleStarter hapiFhirReindexStarter(ModuleReadiness readiness, ObjectProvider<ModuleService> services) {
		return new ModuleStarter(readiness, services);
	}

	@Bean
	public StartupCheck hapiFhirReindexRequiredBeansCheck(ListableBeanFactory beans) {
		return new RequiredHapiBeansCheck(beans);
	}

	/** The feature configurations define nothing on such a HAPI (their condition); this check is what says why. */
	@Bean
	public StartupCheck hapiFhirReindexHapiApiCheck() {
		return HapiApi::failure;
	}

	@Bean
	public StartupCheck hapiFhirReindexFhirVersionCheck(ObjectProvider<FhirContext> fhirContext) {
		return new FhirVersionCheck(fhirContext);
	}
}
