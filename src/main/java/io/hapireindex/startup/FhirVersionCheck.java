package io.hapireindex.startup;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.FhirVersionEnum;
import org.springframework.beans.factory.ObjectProvider;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The server's FHIR version is one the module's operations are written for. On another one HAPI would refuse to
 * bind them (HAPI-0360 while scanning a provider) and take the whole server down with it.
 */
public class FhirVersionCheck implements StartupCheck {

	/** The versions the module's providers bind on and the core suite passes on; widen it with them, never ahead. */
	public static final Set<FhirVersionEnum> SUPPORTED =
			Set.of(FhirVersionEnum.DSTU3, FhirVersionEnum.R4, FhirVersionEnum.R4B, FhirVersionEnum.R5);

	private final ObjectProvider<FhirContext> fhirContext;

	public FhirVersionCheck(ObjectProvider<FhirContext> fhirContext) {
		this.fhirContext = fhirContext;
	}

	@Override
	public Optional<String> failure() {
		FhirContext context = fhirContext.getIfAvailable();
		if (context == null) {
			return Optional.empty(); // RequiredHapiBeansCheck names the missing FhirContext
		}
		FhirVersionEnum version = context.getVersion().getVersion();
		if (SUPPORTED.contains(version)) {
			return Optional.empty();
		}
		return Optional.of("the server's FHIR version is " + version + " and the module supports "
				+ new TreeSet<>(SUPPORTED.stream().map(Enum::name).toList())
				+ " (hapi.fhir.fhir_version in the starter)");
	}
}
