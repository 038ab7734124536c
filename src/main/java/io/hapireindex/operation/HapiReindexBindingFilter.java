package io.hapireindex.operation;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.method.BaseMethodBinding;
import ca.uhn.fhir.rest.server.method.OperationMethodBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Drops every {@code $reindex} / {@code $reindex-dryrun} binding that is not this module's.
 *
 * <p>Why a binding hook: with two providers of the same operation HAPI keeps the last binding but still
 * publishes both in the CapabilityStatement, and {@code RestfulServer.unregisterProvider} does not remove
 * server-level or global bindings once the server is initialised. Refusing the binding as it is made is the
 * one way that works whatever order the host registers its providers in.
 */
@Interceptor
public class HapiReindexBindingFilter {

	private static final Logger LOG = LoggerFactory.getLogger(HapiReindexBindingFilter.class);
	private static final Set<String> REPLACED = Set.of(OperationNames.REINDEX, OperationNames.REINDEX_DRYRUN);

	private final Set<Class<?>> moduleProviderTypes;

	public HapiReindexBindingFilter(Set<Class<?>> moduleProviderTypes) {
		this.moduleProviderTypes = Set.copyOf(moduleProviderTypes);
	}

	@Hook(Pointcut.SERVER_PROVIDER_METHOD_BOUND)
	public BaseMethodBinding filter(BaseMethodBinding binding) {
		if (binding instanceof OperationMethodBinding operation
				&& REPLACED.contains(operation.getName())
				&& binding.getProvider() != null
				&& !moduleProviderTypes.contains(binding.getProvider().getClass())) {
			LOG.info(
					"hapi-fhir-reindex replaces {} of {}",
					operation.getName(),
					binding.getProvider().getClass().getName());
			return null;
		}
		return binding;
	}
}
