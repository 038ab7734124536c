package io.hapireindex.startup;

import org.springframework.context.Lifecycle;

/**
 * A part of the module that runs in the background (a scheduler, a storage interceptor). Started by
 * {@link ModuleStarter} only when {@link ModuleReadiness} says the module can run, and stopped by Spring when the
 * context closes. A plain {@link Lifecycle}, not a {@code SmartLifecycle}: Spring must not start it on its own.
 */
public interface ModuleService extends Lifecycle {}
