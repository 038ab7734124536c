package io.hapireindex.config;

import ca.uhn.fhir.rest.server.RestfulServer;
import io.hapireindex.admin.AdminPageInterceptor;
import io.hapireindex.operation.HapiReindexBindingFilter;
import io.hapireindex.operation.JobApiInterceptor;
import io.hapireindex.startup.ModuleReadiness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Adds the module's providers and interceptors (the beans marked {@link ServerProvider} / {@link ServerInterceptor})
 * to every {@link RestfulServer} bean of the host, and the filter that removes HAPI's own reindex bindings.
 *
 * <p>Why a post-processor: the servlet container calls {@code RestfulServer.init()} only after the context has created
 * the bean, so both the providers and the binding hook are in place before any method is bound, and the host needs no
 * code change. The parts are looked up lazily, so the post-processor itself can be created early without dragging
 * HAPI's DAOs into early initialisation.
 *
 * <p>All or nothing: when {@link ModuleReadiness} says the module cannot run, or a part cannot be built, the server
 * gets none of the module and keeps every HAPI binding. Nothing thrown here reaches the host.
 */
public class RestfulServerRegistrar implements BeanPostProcessor, BeanFactoryAware {

	private static final Logger LOG = LoggerFactory.getLogger(RestfulServerRegistrar.class);

	private final ObjectProvider<ModuleReadiness> readiness;
	private final ObjectProvider<ReindexProperties> properties;
	private ListableBeanFactory beans;

	public RestfulServerRegistrar(ObjectProvider<ModuleReadiness> readiness, ObjectProvider<ReindexProperties> properties) {
		this.readiness = readiness;
		this.properties = properties;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.beans = (ListableBeanFactory) beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof RestfulServer server) {
			register(server);
		}
		return bean;
	}

	/**
	 * Public so a host that creates its RestfulServer outside Spring can call it before {@code init()}.
	 *
	 * @return whether the module was registered on the server
	 */
	public boolean register(RestfulServer server) {
		ModuleReadiness ready = readiness.getIfAvailable();
		if (ready == null || !ready.isReady()) {
			return false; // the readiness logged the one ERROR line
		}
		List<Object> providers;
		List<Object> interceptors;
		try {
			providers = providers();
			interceptors = interceptors();
		} catch (RuntimeException | LinkageError e) {
			LOG.error("hapi-fhir-reindex is off on this server and registers nothing (HAPI's own $reindex stays):"
					+ " one of its parts could not be built: {}", rootMessage(e), e);
			return false;
		}
		ReindexProperties settings = properties.getIfAvailable(ReindexProperties::new);
		if (settings.isReplaceHapiOperations()) {
			Set<Class<?>> types = providers.stream().map(Object::getClass).collect(Collectors.toSet());
			// The server's own interceptor service: binding events never reach the JPA interceptor service.
			server.getInterceptorService().registerInterceptor(new HapiReindexBindingFilter(types));
		}
		interceptors.forEach(server.getInterceptorService()::registerInterceptor);
		for (Object interceptor : interceptors) {
			if (interceptor instanceof JobApiInterceptor jobApi) {
				jobApi.attach(server);
			} else if (interceptor instanceof AdminPageInterceptor adminPage) {
				adminPage.attach(server);
			}
		}
		server.registerProviders(providers);
		LOG.info("hapi-fhir-reindex registered {} provider(s) and {} interceptor(s) on {}",
				providers.size(), interceptors.size(), server.getClass().getName());
		return true;
	}

	private List<Object> providers() {
		List<Object> providers = new ArrayList<>();
		for (String name : beans.getBeanNamesForAnnotation(ServerProvider.class)) {
			Object provider = beans.getBean(name);
			if (provider instanceof ServerProviderGroup group) {
				providers.addAll(group.providers());
			} else {
				providers.add(provider);
			}
		}
		return providers;
	}

	private List<Object> interceptors() {
		return List.of(beans.getBeanNamesForAnnotation(ServerInterceptor.class)).stream()
				.sorted(Comparator.comparingInt(name -> beans.findAnnotationOnBean(name, ServerInterceptor.class).order()))
				.map(beans::getBean)
				.toList();
	}

	private static String rootMessage(Throwable e) {
		Throwable root = e;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root == e ? e.toString() : e.getClass().getSimpleName() + " caused by " + root;
	}
}
