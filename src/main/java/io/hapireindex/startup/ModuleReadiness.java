package io.hapireindex.startup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the module may run on this host: the answer of every {@link StartupCheck} bean, asked once, the first time
 * someone needs it (the registrar, before it touches a {@code RestfulServer}; the starter of background services).
 *
 * <p>When a check fails the module backs off as a whole, with one ERROR line naming every reason, and the host runs
 * as if the module were not there: HAPI's own operations stay. A check that throws counts as failed, so a check can
 * never take the host down either.
 */
public class ModuleReadiness {

	private static final Logger LOG = LoggerFactory.getLogger(ModuleReadiness.class);

	private final ObjectProvider<StartupCheck> checks;
	private List<String> failures;

	public ModuleReadiness(ObjectProvider<StartupCheck> checks) {
		this.checks = checks;
	}

	public boolean isReady() {
		return failures().isEmpty();
	}

	/** The reasons the module backs off; empty when it runs. */
	public synchronized List<String> failures() {
		if (failures == null) {
			failures = List.copyOf(evaluate());
			if (!failures.isEmpty()) {
				LOG.error("hapi-fhir-reindex is off on this server and registers nothing (HAPI's own $reindex stays): {}",
						String.join("; ", failures));
			}
		}
		return failures;
	}

	private List<String> evaluate() {
		List<String> found = new ArrayList<>();
		checks.orderedStream().forEach(check -> {
			try {
				Optional<String> failure = check.failure();
				failure.ifPresent(found::add);
			} catch (RuntimeException | LinkageError e) {
				// a HAPI version without a class or method the check looks at fails here, not in the host
				found.add(check.getClass().getSimpleName() + " could not run (" + e + "); the HAPI version of this"
						+ " server may not be one the module supports, see docs/install.md");
			}
		});
		return found;
	}
}
