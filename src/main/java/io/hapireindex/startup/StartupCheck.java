package io.hapireindex.startup;

import java.util.Optional;

/**
 * One thing the module needs from its host before it registers anything: a HAPI bean, a FHIR version, its schema,
 * a HAPI internal it relies on. Any bean of this type takes part; {@link ModuleReadiness} asks each once.
 *
 * <p>A failure is one sentence for an operator: what is wrong and the setting or version that would fix it. It is
 * reported, never thrown: a host must start and serve whatever the module cannot do.
 */
@FunctionalInterface
public interface StartupCheck {

	/** Empty when the module can run; otherwise the reason it cannot and what would fix it. */
	Optional<String> failure();
}
