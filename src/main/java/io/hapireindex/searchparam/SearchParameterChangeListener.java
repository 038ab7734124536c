package io.hapireindex.searchparam;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import io.hapireindex.startup.ModuleService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sees every SearchParameter create, update and delete, and hands them on only once their transaction has
 * committed: a write that rolls back starts nothing (HAPI's own job is started even then) and marks nothing
 * pending. Readiness is recorded in both modes; the scheduler is only called in automatic mode.
 */
@Interceptor
public class SearchParameterChangeListener implements ModuleService {

	private static final Logger LOG = LoggerFactory.getLogger(SearchParameterChangeListener.class);
	private static final String PENDING = SearchParameterChangeListener.class.getName() + ".pending";

	private final FhirContext fhirContext;
	private final SearchParameterReindexScheduler scheduler;
	private final IInterceptorService storageInterceptors;
	private final SearchParameterReadiness readiness;
	private final JpaStorageSettings storageSettings;
	private volatile boolean running;

	/** @param scheduler null when SearchParameter changes start no job (mode "off") */
	public SearchParameterChangeListener(
			FhirContext fhirContext,
			SearchParameterReindexScheduler scheduler,
			SearchParameterReadiness readiness,
			IInterceptorService storageInterceptors,
			JpaStorageSettings storageSettings) {
		this.fhirContext = fhirContext;
		this.scheduler = scheduler;
		this.readiness = readiness;
		this.storageInterceptors = storageInterceptors;
		this.storageSettings = storageSettings;
	}

	/**
	 * In automatic mode this changes one setting of the host, and says so: one targeted job of the module replaces
	 * HAPI's full REINDEX job per changed parameter. Only when the module runs; a module that backs off changes nothing.
	 */
	@Override
	public synchronized void start() {
		if (running) {
			return;
		}
		if (scheduler != null && storageSettings.isMarkResourcesForReindexingUponSearchParameterChange()) {
			storageSettings.setMarkResourcesForReindexingUponSearchParameterChange(false);
			LOG.info("hapi-fhir-reindex set JpaStorageSettings.markResourcesForReindexingUponSearchParameterChange to"
					+ " false: a SearchParameter change starts one targeted job of the module instead of HAPI's REINDEX"
					+ " job (hapi-fhir-reindex.search-parameter-reindex=off keeps HAPI's)");
		}
		storageInterceptors.registerInterceptor(this);
		running = true;
	}

	@Override
	public synchronized void stop() {
		if (running) {
			storageInterceptors.unregisterInterceptor(this);
			running = false;
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		collect(resource, false, false);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource updated) {
		if (previous != null) {
			// an update may change the URL or the bases: the old ones need their rows recomputed too
			collect(previous, false, true);
		}
		collect(updated, false, false);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		collect(resource, true, false);
	}

	@SuppressWarnings("unchecked")
	private void collect(IBaseResource resource, boolean deleted, boolean previousVersion) {
		if (resource == null || !"SearchParameter".equals(fhirContext.getResourceType(resource))) {
			return;
		}
		FhirTerser terser = fhirContext.newTerser();
		String url = terser.getSinglePrimitiveValueOrNull(resource, "url");
		if (url == null) {
			return;
		}
		Set<String> bases = new TreeSet<>();
		for (IPrimitiveType<?> base : terser.getValues(resource, "base", IPrimitiveType.class)) {
			bases.add(base.getValueAsString());
		}
		String code = terser.getSinglePrimitiveValueOrNull(resource, "code");
		boolean active = "active".equals(terser.getSinglePrimitiveValueOrNull(resource, "status"));
		SearchParameterChange change = new SearchParameterChange(url, code, bases, deleted, previousVersion, active);
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			committed(List.of(change));
			return;
		}
		List<SearchParameterChange> pending = (List<SearchParameterChange>) TransactionSynchronizationManager.getResource(PENDING);
		if (pending == null) {
			List<SearchParameterChange> list = new ArrayList<>();
			TransactionSynchronizationManager.bindResource(PENDING, list);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					committed(List.copyOf(list));
				}

				@Override
				public void afterCompletion(int status) {
					TransactionSynchronizationManager.unbindResourceIfPossible(PENDING);
				}
			});
			pending = list;
		}
		pending.add(change);
	}

	private void committed(List<SearchParameterChange> changes) {
		// pending first, so the job the scheduler starts finds the rows it moves to reindexing
		readiness.changesCommitted(changes);
		if (scheduler != null) {
			scheduler.submit(changes);
		}
	}
}
