package io.hapireindex.searchparam;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.job.ReindexScope;
import io.hapireindex.startup.ScheduledModuleService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns committed SearchParameter changes into reindex jobs: changes arriving within one window make one job.
 *
 * <p>Created or changed parameters get a targeted job (only their rows, only their base types), instead of
 * HAPI's full re-extraction of every base type per parameter. A deleted parameter is no longer in the
 * registry, so its rows cannot be named: its base types are reindexed in full, which drops them.
 */
public class SearchParameterReindexScheduler extends ScheduledModuleService {

	private static final Logger LOG = LoggerFactory.getLogger(SearchParameterReindexScheduler.class);

	private final ReindexJobService jobs;
	private final ISearchParamRegistry registry;
	private final DaoRegistry daoRegistry;
	private final long windowMillis;
	private final int batchSize;
	private final int maximumConcurrency;
	private final Map<String, SearchParameterChange> pending = new LinkedHashMap<>();
	private ScheduledFuture<?> flush;

	public SearchParameterReindexScheduler(
			ReindexJobService jobs,
			ISearchParamRegistry registry,
			DaoRegistry daoRegistry,
			long windowMillis,
			int batchSize,
			int maximumConcurrency) {
		// changes submitted before the start are kept and start their job once it is
		super("hapi-fhir-reindex-searchparam");
		this.jobs = jobs;
		this.registry = registry;
		this.daoRegistry = daoRegistry;
		this.windowMillis = windowMillis;
		this.batchSize = batchSize;
		this.maximumConcurrency = maximumConcurrency;
	}

	/** Called after commit; the job starts when no further change arrived for one window. */
	public synchronized void submit(Collection<SearchParameterChange> changes) {
		for (SearchParameterChange change : changes) {
			pending.merge(change.url(), change, (a, b) -> new SearchParameterChange(
					a.url(), union(a.bases(), b.bases()), a.deleted() || b.deleted()));
		}
		if (flush != null) {
			flush.cancel(false);
		}
		ScheduledExecutorService running = executor();
		if (running != null) {
			flush = running.schedule(this::startJob, windowMillis, TimeUnit.MILLISECONDS);
		}
	}

	private void startJob() {
		List<SearchParameterChange> changes;
		synchronized (this) {
			changes = new ArrayList<>(pending.values());
			pending.clear();
			flush = null;
		}
		if (changes.isEmpty()) {
			return;
		}
		try {
			registry.forceRefresh();
			Set<String> types = new TreeSet<>();
			changes.forEach(c -> types.addAll(c.bases().contains("Resource") ? daoRegistry.getRegisteredDaoTypes() : c.bases()));
			types.removeIf(t -> !daoRegistry.isResourceTypeSupported(t));
			boolean anyDeleted = changes.stream().anyMatch(SearchParameterChange::deleted);
			List<String> urls = anyDeleted ? List.of() : changes.stream().map(SearchParameterChange::url).toList();
			// not split per partition as a caller's _ALL job is: readiness needs every stored row recomputed, and
			// one scope over all partitions also reads rows of partitions HAPI no longer lists (deleted ones) or
			// never lists (unnamed partition mode)
			List<ReindexScope> scopes = types.stream()
					.map(t -> new ReindexScope(t, null, RequestPartitionId.allPartitions()))
					.toList();
			Map<String, List<String>> request = new LinkedHashMap<>();
			request.put("searchParameterChanged", changes.stream().map(c -> c.url() + (c.deleted() ? " (deleted)" : "")).toList());
			ReindexJobParameters parameters = ReindexJobParameters.builder()
					.scopes(scopes)
					.searchParameterUrls(urls)
					.batchSize(batchSize)
					.maximumConcurrency(maximumConcurrency)
					.partition(RequestPartitionId.allPartitions())
					.request(request)
					.build();
			ReindexJobService.Started started = jobs.start(parameters, new SystemRequestDetails());
			LOG.info("Reindex job {} started for {} changed search parameter(s) on {}", started.jobId(), changes.size(), types);
		} catch (RuntimeException e) {
			LOG.error("Could not start the reindex job for changed search parameters {}", changes, e);
		}
	}

	private static Set<String> union(Set<String> a, Set<String> b) {
		Set<String> all = new TreeSet<>(a);
		all.addAll(b);
		return all;
	}

	@Override
	protected void onStart(ScheduledExecutorService executor) {
		if (!pending.isEmpty()) {
			flush = executor.schedule(this::startJob, windowMillis, TimeUnit.MILLISECONDS);
		}
	}
}
