package io.hapireindex.searchparam;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.job.JobInstances;
import io.hapireindex.job.ReindexJobListener;
import io.hapireindex.job.UnindexedParameters;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexScope;
import io.hapireindex.searchparam.SearchParameterReadinessStore.Row;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.hapi.ResourceTables;
import io.hapireindex.hapi.SearchParamUrls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Whether each custom search parameter's index rows are complete: pending (changed, not reindexed), reindexing
 * (a job covering it runs), ready, or failed.
 *
 * <p>Transitions: a committed create or update makes a parameter pending; a module job that covers it and was
 * created after that change moves it to reindexing when it starts, and to ready or failed when it ends. A job
 * covers a parameter when it recomputes all parameters or names this one, in every partition, over whole-type
 * scopes of all of its base types; a restart covers what the job it restarts covered. Job ends are learnt
 * from the completion nudge and status reads on this node, and, for jobs that ended elsewhere or unobserved,
 * from the job's stored status whenever the state is read from the database.
 *
 * <p>Searches read a snapshot that is reloaded at most every {@link #CACHE_MILLIS} ms (and at once after a change
 * on this node), so the search path does not query the database per request.
 */
public class SearchParameterReadiness implements ReindexJobListener, UnindexedParameters {

	static final long CACHE_MILLIS = 2000;
	static final String RESOURCE = "Resource";
	private static final Logger LOG = LoggerFactory.getLogger(SearchParameterReadiness.class);

	/** What searches need: the parameters that are not ready, by base type and code. */
	private record Snapshot(long loadedMillis, Map<String, Map<String, Row>> notReady, Set<String> runningJobs) {}

	private final SearchParameterReadinessStore store;
	private final IJobCoordinator coordinator;
	private final JobProgressStore progress;
	private final DaoRegistry daoRegistry;
	private final ISearchParamRegistry searchParamRegistry;
	private final ResourceTables resourceTables;
	private final SearchParamUrls searchParamUrls;
	private volatile Snapshot snapshot = new Snapshot(0, Map.of(), Set.of());

	public SearchParameterReadiness(
			SearchParameterReadinessStore store,
			IJobCoordinator coordinator,
			JobProgressStore progress,
			DaoRegistry daoRegistry,
			ISearchParamRegistry searchParamRegistry,
			SearchParamUrls searchParamUrls,
			DataSource dataSource) {
		this.store = store;
		this.coordinator = coordinator;
		this.progress = progress;
		this.daoRegistry = daoRegistry;
		this.searchParamRegistry = searchParamRegistry;
		this.resourceTables = new ResourceTables(dataSource);
		this.searchParamUrls = searchParamUrls;
	}

	// ------------------------------------------------------------------ transitions

	/** After commit of SearchParameter writes. */
	public void changesCommitted(List<SearchParameterChange> changes) {
		Set<String> current = changes.stream()
				.filter(c -> !c.previousVersion())
				.map(SearchParameterChange::url)
				.collect(Collectors.toSet());
		for (SearchParameterChange change : changes) {
			if (change.previousVersion()) {
				if (!current.contains(change.url())) {
					// the update gave the parameter a new URL: the old one is no longer a parameter
					store.remove(change.url());
				}
			} else if (change.deleted() || !change.active()) {
				store.remove(change.url());
			} else {
				store.markPending(change.url(), change.code(), change.bases());
			}
		}
		invalidate();
	}

	@Override
	public void jobStarted(String jobId) {
		JobInstance instance = moduleJob(jobId);
		if (instance == null) {
			return;
		}
		ReindexJobParameters params = instance.getParameters(ReindexJobParameters.class);
		Timestamp created = new Timestamp(instance.getCreateTime().getTime());
		for (Row row : store.all()) {
			boolean waiting = SearchParameterReadinessStore.PENDING.equals(row.status())
					|| SearchParameterReadinessStore.FAILED.equals(row.status());
			if (waiting && covers(params, row) && store.markReindexing(row.url(), jobId, created)) {
				LOG.info("Reindex job {}: search parameter {} is reindexing", jobId, row.url());
			}
		}
		invalidate();
		if (instance.getStatus().isEnded()) {
			finish(instance);
		}
	}

	@Override
	public void jobEnded(String jobId) {
		// status reads of every old job come here: only jobs this node saw covering a parameter are looked up
		if (!current().runningJobs().contains(jobId)) {
			return;
		}
		JobInstance instance = moduleJob(jobId);
		if (instance != null && instance.getStatus().isEnded()) {
			finish(instance);
		}
	}

	private void finish(JobInstance instance) {
		String jobId = instance.getInstanceId();
		String status;
		String error = null;
		if (instance.getStatus() == StatusEnum.COMPLETED) {
			long failed = progress.failed(jobId);
			if (failed > 0) {
				status = SearchParameterReadinessStore.FAILED;
				List<JobProgressStore.JobError> errors = progress.errors(jobId, 1);
				error = failed + " resource(s) could not be reindexed"
						+ (errors.isEmpty() ? "" : "; first: " + errors.get(0).resource() + ": " + errors.get(0).message());
			} else {
				status = SearchParameterReadinessStore.READY;
			}
		} else {
			status = SearchParameterReadinessStore.FAILED;
			error = instance.getStatus() == StatusEnum.CANCELLED
					? "the reindex job was cancelled"
					: "the reindex job failed" + (instance.getErrorMessage() == null ? "" : ": " + instance.getErrorMessage());
		}
		int rows = store.markEnded(jobId, status, error);
		if (rows > 0) {
			LOG.info("Reindex job {}: {} search parameter(s) now {}", jobId, rows, status);
		}
		invalidate();
	}

	/**
	 * Whether the job recomputes this parameter's rows for every resource it could have: all partitions, whole
	 * types covering each base, and either every parameter or this one named.
	 */
	boolean covers(ReindexJobParameters params, Row row) {
		if (params.reindexSearchParameters() != ReindexParameters.ReindexSearchParametersEnum.ALL
				|| !"_ALL".equals(params.partitionLabel())) {
			return false;
		}
		if (row.jobId() != null && row.jobId().equals(params.restartOf())
				&& SearchParameterReadinessStore.FAILED.equals(row.status())) {
			return true;
		}
		if (!params.searchParameterUrls().isEmpty() && !params.searchParameterUrls().contains(row.url())) {
			return false;
		}
		Set<String> wholeTypes = params.scopes().stream()
				.filter(s -> s.wholeType() && s.doneRanges().isEmpty())
				.map(ReindexScope::resourceType)
				.collect(Collectors.toSet());
		Set<String> needed = new TreeSet<>(row.bases().contains(RESOURCE) ? daoRegistry.getRegisteredDaoTypes() : row.bases());
		needed.removeIf(t -> !daoRegistry.isResourceTypeSupported(t));
		return !needed.isEmpty() && wholeTypes.containsAll(needed);
	}

	// ------------------------------------------------------------------ reads

	/** The parameters among {@code codes} on this type that are not ready; from the cached snapshot. */
	public List<Row> notReady(String resourceType, Collection<String> codes) {
		Map<String, Map<String, Row>> notReady = current().notReady();
		if (notReady.isEmpty()) {
			return List.of();
		}
		List<Row> found = new ArrayList<>();
		for (String type : List.of(resourceType, RESOURCE)) {
			Map<String, Row> byCode = notReady.get(type);
			if (byCode != null) {
				codes.stream().map(byCode::get).filter(r -> r != null && !found.contains(r)).forEach(found::add);
			}
		}
		return found;
	}

	@Override
	public List<String> notReadyIn(String resourceType, String searchUrl) {
		int query = searchUrl.indexOf('?');
		if (query < 0) {
			return List.of();
		}
		List<String> keys = new ArrayList<>();
		for (String pair : searchUrl.substring(query + 1).split("&")) {
			if (!pair.isEmpty()) {
				keys.add(java.net.URLDecoder.decode(pair.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8));
			}
		}
		return notReady(resourceType, SearchParameterReadinessInterceptor.searchNames(keys)).stream()
				.map(row -> row.code() + " (" + row.status() + ")")
				.toList();
	}

	/** Every parameter that is not ready, from the cached snapshot. */
	public List<Row> allNotReady() {
		Set<Row> rows = new HashSet<>();
		current().notReady().values().forEach(m -> rows.addAll(m.values()));
		return new ArrayList<>(rows);
	}

	/**
	 * Every active custom parameter, read now from the database: the tracked ones as stored (after settling
	 * jobs that have ended), the others (created before the module tracked them) ready.
	 */
	public List<Row> all() {
		load();
		Map<String, Row> byUrl = new TreeMap<>();
		store.all().forEach(r -> byUrl.put(r.url(), r));
		Set<String> storedIds = new HashSet<>(resourceTables.liveFhirIdsOfType("SearchParameter"));
		Map<String, String> codes = new LinkedHashMap<>();
		Map<String, Set<String>> bases = new HashMap<>();
		Set<String> types = new TreeSet<>(daoRegistry.getRegisteredDaoTypes());
		for (String type : types) {
			for (RuntimeSearchParam sp : searchParamRegistry
					.getActiveSearchParams(type, ISearchParamRegistry.SearchParamLookupContextEnum.ALL)
					.values()) {
				if (sp.getId() == null || !storedIds.contains(sp.getId().getIdPart())) {
					continue;
				}
				String url = searchParamUrls.url(sp);
				if (url != null && !byUrl.containsKey(url)) {
					codes.put(url, sp.getName());
					bases.computeIfAbsent(url, k -> new TreeSet<>()).add(type);
				}
			}
		}
		codes.forEach((url, code) -> {
			Set<String> b = bases.get(url).size() == types.size() ? Set.of(RESOURCE) : bases.get(url);
			byUrl.put(url, new Row(url, code, b, SearchParameterReadinessStore.READY, null, null, null, null));
		});
		return new ArrayList<>(byUrl.values());
	}

	// ------------------------------------------------------------------ cache

	private Snapshot current() {
		Snapshot s = snapshot;
		if (System.currentTimeMillis() - s.loadedMillis() < CACHE_MILLIS) {
			return s;
		}
		synchronized (this) {
			s = snapshot;
			if (System.currentTimeMillis() - s.loadedMillis() < CACHE_MILLIS) {
				return s;
			}
			try {
				return load();
			} catch (RuntimeException e) {
				// a database hiccup must not fail searches: keep the last state and try again after the TTL
				LOG.warn("Could not load search parameter readiness: {}", e.toString());
				snapshot = new Snapshot(System.currentTimeMillis(), s.notReady(), s.runningJobs());
				return snapshot;
			}
		}
	}

	/** Reads the table, settling rows whose job has ended (on any node), and publishes a new snapshot. */
	private synchronized Snapshot load() {
		List<Row> rows = store.all();
		boolean settled = false;
		for (String jobId : rows.stream()
				.filter(r -> SearchParameterReadinessStore.REINDEXING.equals(r.status()))
				.map(Row::jobId)
				.collect(Collectors.toCollection(TreeSet::new))) {
			JobInstance instance = moduleJob(jobId);
			if (instance == null) {
				store.markEnded(jobId, SearchParameterReadinessStore.FAILED, "the reindex job " + jobId + " no longer exists");
				settled = true;
			} else if (instance.getStatus().isEnded()) {
				finish(instance);
				settled = true;
			}
		}
		if (settled) {
			rows = store.all();
		}
		Map<String, Map<String, Row>> notReady = new HashMap<>();
		Set<String> running = new HashSet<>();
		for (Row row : rows) {
			if (SearchParameterReadinessStore.READY.equals(row.status()) || row.code() == null) {
				continue;
			}
			row.bases().forEach(b -> notReady.computeIfAbsent(b, k -> new HashMap<>()).put(row.code(), row));
			if (row.jobId() != null) {
				running.add(row.jobId());
			}
		}
		Snapshot s = new Snapshot(System.currentTimeMillis(), notReady, running);
		snapshot = s;
		return s;
	}

	private void invalidate() {
		Snapshot s = snapshot;
		snapshot = new Snapshot(0, s.notReady(), s.runningJobs());
	}

	private JobInstance moduleJob(String jobId) {
		return JobInstances.findModuleJob(coordinator, jobId).orElse(null);
	}
}
