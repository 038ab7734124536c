package io.hapireindex.startup;

import org.springframework.beans.factory.ListableBeanFactory;

import java.util.List;
import java.util.Optional;

/**
 * The host has every HAPI bean the module is built from. The module's feature configurations carry the same
 * condition, so on a host without them they define nothing; this check is what says why.
 */
public class RequiredHapiBeansCheck implements StartupCheck {

	private final ListableBeanFactory beans;

	public RequiredHapiBeansCheck(ListableBeanFactory beans) {
		this.beans = beans;
	}

	@Override
	public Optional<String> failure() {
		List<String> missing = RequiredHapiBeans.missing(beans, getClass().getClassLoader());
		if (missing.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of("the server has no bean of " + String.join(", ", missing) + "; the module needs a HAPI FHIR"
				+ " JPA server with batch2 (HAPI's JpaBatch2Config, as in hapi-fhir-jpaserver-starter)");
	}
}
