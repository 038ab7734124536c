package io.hapireindex.testhost;

import ca.uhn.fhir.context.FhirVersionEnum;
import org.springframework.core.env.Environment;

import java.util.Locale;

/**
 * The FHIR version of the test host: {@code test.fhir-version} = DSTU3, R4 (default), R4B or R5, as the official
 * starter's {@code hapi.fhir.fhir_version}. {@link HapiTestServer} imports HAPI's JPA configuration of that version.
 */
public final class TestFhirVersion {

	public static final String PROPERTY = "test.fhir-version";

	private TestFhirVersion() {}

	/** The FHIR version this host serves. */
	public static FhirVersionEnum of(Environment env) {
		return parse(env.getProperty(PROPERTY, "R4"));
	}

	public static FhirVersionEnum parse(String name) {
		return switch (name.trim().toUpperCase(Locale.ROOT)) {
			case "DSTU3" -> FhirVersionEnum.DSTU3;
			case "R4" -> FhirVersionEnum.R4;
			case "R4B" -> FhirVersionEnum.R4B;
			case "R5" -> FhirVersionEnum.R5;
			default -> throw new IllegalArgumentException(PROPERTY + "=" + name + " is not one of DSTU3, R4, R4B, R5");
		};
	}
}
