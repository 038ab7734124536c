package io.hapireindex.testhost;

import ca.uhn.fhir.context.FhirVersionEnum;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportSelector;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import java.util.Locale;

/**
 * Imports HAPI's JPA configuration of the FHIR version named by {@code test.fhir-version} (DSTU3, R4, R4B or R5;
 * default R4), as the official starter does from {@code hapi.fhir.fhir_version}.
 */
public class FhirVersionConfigSelector implements ImportSelector, EnvironmentAware {

	public static final String PROPERTY = "test.fhir-version";

	private Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	/** The FHIR version this host serves. */
	public static FhirVersionEnum version(Environment env) {
		return parse(env.getProperty(PROPERTY, "R4"));
	}

	public static FhirVersionEnum parse(String name) {
		return switch (name.trim().toUpperCase(Locale.ROOT)) {
			case "DSTU3" -> FhirVersionEnum.DSTU3;
			case "R4" -> FhirVersionEnum.R4;
			case "R4B" -> FhirVersionEnum.R4B;
			case "R5" -> FhirVersionEnum.R5;
			default -> throw new IllegalArgumentException(
					PROPERTY + "=" + name + " is not one of DSTU3, R4, R4B, R5");
		};
	}

	@Override
	public String[] selectImports(AnnotationMetadata metadata) {
		String config = switch (version(environment)) {
			case DSTU3 -> "ca.uhn.fhir.jpa.config.dstu3.JpaDstu3Config";
			case R4B -> "ca.uhn.fhir.jpa.config.r4b.JpaR4BConfig";
			case R5 -> "ca.uhn.fhir.jpa.config.r5.JpaR5Config";
			default -> "ca.uhn.fhir.jpa.config.r4.JpaR4Config";
		};
		return new String[] {config};
	}
}
