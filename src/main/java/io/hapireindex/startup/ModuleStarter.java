package io.hapireindex.startup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts the module's {@link ModuleService}s once the context is refreshed, if the module may run, and before the
 * web server takes requests (phase 0; Spring Boot starts its web server in a later phase). Spring stops them
 * itself when the context closes: each is a {@code Lifecycle} bean.
 */
public class ModuleStarter implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ModuleStarter.class);

	private final ModuleReadiness readiness;
	private final ObjectProvider<ModuleService> services;
	private final List<ModuleService> started = new ArrayList<>();
	private volatile boolean running;

	public ModuleStarter(ModuleReadiness readiness, ObjectProvider<ModuleService> services) {
		this.readiness = readiness;
		this.services = services;
	}

	@Override
	public void start() {
		running = true;
		if (!readiness.isReady()) {
			return; // the one ERROR line is the readiness's
		}
		services.orderedStream().forEach(service -> {
			try {
				service.start();
				started.add(service);
			} catch (RuntimeException e) {
				// a background part that cannot start must not stop the host from serving
				LOG.error("hapi-fhir-reindex could not start {}: {}", service.getClass().getSimpleName(), e.toString(), e);
			}
		});
	}

	@Override
	public void stop() {
		for (int i = started.size() - 1; i >= 0; i--) {
			ModuleService service = started.get(i);
			if (service.isRunning()) {
				service.stop();
			}
		}
		started.clear();
		running = false;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		return 0;
	}
}
