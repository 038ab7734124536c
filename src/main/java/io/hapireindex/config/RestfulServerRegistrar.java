package io.hapireindex.config;

import ca.uhn.fhir.rest.server.RestfulServer;
import io.hapireindex.admin.AdminPageInterceptor;
import io.hapireindex.operation.HapiReindexBindingFilter;
import io.hapireindex.operation.JobApiInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Adds the module's providers to every {@link RestfulServer} bean of the host, and the filter that removes
 * HAPI's own reindex bindings.
 *
 * <p>Why a post-processor: the servlet container calls {@code RestfulServer.init()} only after the context
 * has created the bean, so both the providers and the binding hook are in place before any method is bound,
 * and the host needs no code change. The collaborators are looked up lazily, so the post-processor itself
 * can be created early without dragging HAPI's DAOs into early initialisation.
 */
public class RestfulServerRegistrar implements BeanPostProcessor {

	private static final Logger LOG = LoggerFactory.getLogger(RestfulServerRegistrar.class);

	private final ObjectProvider<ModuleServerParts> parts;
	private final ObjectProvider<ReindexProperties> properties;

	public RestfulServerRegistrar(ObjectProvider<ModuleServerParts> parts, ObjectProvider<ReindexProperties> properties) {
		this.parts = parts;
		this.properties = properties;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof RestfulServer server) {
			register(server);
		}
		return bean;
	}

	/** Public so a host that creates its RestfulServer outside Spring can call it before {@code init()}. */
	public void register(RestfulServer server) {
		ModuleServerParts module = parts.getObject();
		List<Object> moduleProviders = module.providers();
		ReindexProperties settings = properties.getIfAvailable(ReindexProperties::new);
		if (settings.isReplaceHapiOperations()) {
			Set<Class<?>> types = moduleProviders.stream().map(Object::getClass).collect(Collectors.toSet());
			// The server's own interceptor service: binding events never reach the JPA interceptor service.
			server.getInterceptorService().registerInterceptor(new HapiReindexBindingFilter(types));
		}
		module.interceptors().forEach(server.getInterceptorService()::registerInterceptor);
		module.interceptors().stream()
				.filter(JobApiInterceptor.class::isInstance)
				.forEach(i -> ((JobApiInterceptor) i).attach(server));
		module.interceptors().stream()
				.filter(AdminPageInterceptor.class::isInstance)
				.forEach(i -> ((AdminPageInterceptor) i).attach(server));
		server.registerProviders(moduleProviders);
		LOG.info("hapi-fhir-reindex registered {} provider(s) on {}", moduleProviders.size(), server.getClass().getName());
	}

	/** The module's providers and server interceptors, as one bean so the registrar has one thing to look up. */
	public record ModuleServerParts(List<Object> providers, List<Object> interceptors) {
		public ModuleServerParts {
			providers = List.copyOf(providers);
			interceptors = List.copyOf(interceptors);
		}
	}
}
