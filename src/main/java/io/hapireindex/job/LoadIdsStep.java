package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IJobStepWorker;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.jpa.api.pid.TypedResourcePid;
import ca.uhn.fhir.jpa.api.svc.IBatch2DaoSvc;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import io.hapireindex.status.JobProgressStore;
import jakarta.annotation.Nonnull;
import io.hapireindex.cluster.StalledChunkWatchdog;
import io.hapireindex.hapi.ResourceTables;
import io.hapireindex.index.InLists;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Second step: turns one scope into chunks of at most {@code batchSize} pids.
 *
 * <p>Whole types are paged with a keyset on {@code RES_ID} (one short query per page) instead of HAPI's one
 * stream per URL: a type with millions of rows is never held in one cursor, and each page becomes a chunk
 * that any node can take. Search URLs with parameters go through HAPI's own id stream, which applies the
 * search exactly as HAPI would.
 */
public class LoadIdsStep implements IJobStepWorker<ReindexJobParameters, ScopeChunk, PidBatch> {

	private static final Logger LOG = LoggerFactory.getLogger(LoadIdsStep.class);
	private static final int ID_QUERY_SIZE = 500;

	private final ResourceTables resourceTables;
	private final PartitionSettings partitionSettings;
	private final IBatch2DaoSvc batch2DaoSvc;
	private final JobProgressStore progress;
	private final SearchParamFreshness freshness;
	private final UnindexedParameters readiness;
	private final StalledChunkWatchdog watchdog;

	public LoadIdsStep(
			DataSource dataSource,
			PartitionSettings partitionSettings,
			IBatch2DaoSvc batch2DaoSvc,
			JobProgressStore progress,
			SearchParamFreshness freshness,
			StalledChunkWatchdog watchdog,
			UnindexedParameters readiness) {
		this.readiness = readiness;
		this.freshness = freshness;
		this.watchdog = watchdog;
		this.resourceTables = new ResourceTables(dataSource);
		this.partitionSettings = partitionSettings;
		this.batch2DaoSvc = batch2DaoSvc;
		this.progress = progress;
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ReindexJobParameters, ScopeChunk> details,
			@Nonnull IJobDataSink<PidBatch> sink) {
		String jobId = details.getInstance().getInstanceId();
		ReindexJobParameters params = details.getParameters();
		ScopeChunk chunk = details.getData();
		watchdog.claim(details.getChunkId());
		// a search URL may use a parameter created just before the job
		freshness.ensureCurrentFor(jobId, details.getInstance().getCreateTime());
		long total;
		if (!chunk.resourceIds().isEmpty()) {
			total = loadExplicitIds(jobId, params, chunk, sink);
		} else {
			ReindexScope scope = params.scopes().get(chunk.scopeIndex());
			total = scope.wholeType()
					? loadWholeType(jobId, params, chunk.scopeIndex(), scope, sink)
					: loadSearchUrl(jobId, params, chunk.scopeIndex(), scope, sink);
			if (total == 0 && !scope.wholeType()) {
				failIfSearchCannotBeTrusted(jobId, chunk.scopeIndex(), scope);
			}
		}
		progress.setLoaded(jobId, chunk.scopeIndex(), total);
		LOG.info("Reindex job {}: scope {} ({}) has {} resource(s)", jobId, chunk.scopeIndex(), chunk.resourceType(), total);
		return new RunOutcome((int) Math.min(Integer.MAX_VALUE, total));
	}

	private long loadWholeType(
			String jobId, ReindexJobParameters params, int scopeIndex, ReindexScope scope, IJobDataSink<PidBatch> sink) {
		ResourceTables.PartitionFilter partitions = ResourceTables.PartitionFilter.of(scope.partition(), partitionSettings);
		long after = Long.MIN_VALUE;
		long total = 0;
		while (true) {
			List<Long> page = resourceTables.nextLivePids(scope.resourceType(), partitions, after, params.batchSize());
			if (page.isEmpty()) {
				return total;
			}
			after = page.get(page.size() - 1);
			boolean last = page.size() < params.batchSize();
			List<Long> todo = scope.doneRanges().isEmpty()
					? page
					: page.stream().filter(pid -> !scope.isDone(pid)).toList();
			if (!todo.isEmpty()) {
				emit(jobId, scopeIndex, scope.resourceType(), todo, sink);
				total += todo.size();
			}
			if (last) {
				return total;
			}
		}
	}

	private long loadSearchUrl(
			String jobId, ReindexJobParameters params, int scopeIndex, ReindexScope scope, IJobDataSink<PidBatch> sink) {
		Date end = new Date(System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(1));
		long[] total = {0};
		batch2DaoSvc
				.fetchResourceIdStream(new Date(0), end, scope.partition(), scope.url())
				.visitStreamNoResult(stream -> {
					List<Long> page = new ArrayList<>(params.batchSize());
					Iterator<TypedResourcePid> it = stream.iterator();
					while (it.hasNext()) {
						TypedResourcePid next = it.next();
						page.add(((Number) next.id.getId()).longValue());
						if (page.size() == params.batchSize()) {
							emit(jobId, scopeIndex, scope.resourceType(), page, sink);
							total[0] += page.size();
							page = new ArrayList<>(params.batchSize());
						}
					}
					if (!page.isEmpty()) {
						emit(jobId, scopeIndex, scope.resourceType(), page, sink);
						total[0] += page.size();
					}
				});
		return total[0];
	}

	/**
	 * A search over a parameter that is not indexed yet finds nothing, and a job that then reports "Completed"
	 * with nothing done is what HAPI's own reindex does (its load step searches too). Here such a scope is a
	 * failure that says why, so the operator runs a job that can find the resources.
	 */
	private void failIfSearchCannotBeTrusted(String jobId, int scopeIndex, ReindexScope scope) {
		List<String> notReady = readiness.notReadyIn(scope.resourceType(), scope.url());
		if (notReady.isEmpty()) {
			return;
		}
		String message = "The search " + scope.url() + " found no resources, but it uses search parameter(s) "
				+ String.join(", ", notReady) + " not indexed yet (see SearchParameter/$status), so it cannot find"
				+ " the resources it names. Reindex the whole type (resourceType=" + scope.resourceType()
				+ ") or the parameter (searchParameter) instead.";
		LOG.warn("Reindex job {}: {}", jobId, message);
		progress.addError(jobId, scope.url(), message);
		progress.addCounts(jobId, scopeIndex, 0, 1, 0);
	}

	/** Explicit ids that do not exist (or are deleted) are errors: the caller named them. */
	private long loadExplicitIds(String jobId, ReindexJobParameters params, ScopeChunk chunk, IJobDataSink<PidBatch> sink) {
		ResourceTables.PartitionFilter partitions = ResourceTables.PartitionFilter.of(params.idPartition(), partitionSettings);
		String prefix = chunk.resourceType() + "/";
		Map<String, Long> found = new HashMap<>();
		// one query per page of ids: a restart may name thousands of failed resources
		for (List<String> page : InLists.pages(chunk.resourceIds(), ID_QUERY_SIZE)) {
			List<String> fhirIds = page.stream().map(id -> id.substring(prefix.length())).toList();
			resourceTables.livePidsByFhirId(chunk.resourceType(), fhirIds, partitions)
					.forEach((fhirId, pid) -> found.put(prefix + fhirId, pid));
		}
		List<Long> pids = new ArrayList<>();
		for (String id : chunk.resourceIds()) {
			Long pid = found.get(id);
			if (pid == null) {
				progress.addError(jobId, id, "Resource " + id + " is not known (or is deleted) in the job's partitions");
				progress.addCounts(jobId, chunk.scopeIndex(), 0, 1, 0);
			} else {
				pids.add(pid);
			}
		}
		for (List<Long> batch : InLists.pages(pids, params.batchSize())) {
			emit(jobId, chunk.scopeIndex(), chunk.resourceType(), batch, sink);
		}
		return chunk.resourceIds().size();
	}

	private void emit(String jobId, int scopeIndex, String type, List<Long> pids, IJobDataSink<PidBatch> sink) {
		progress.addToTotal(jobId, scopeIndex, pids.size());
		sink.accept(new PidBatch(scopeIndex, type, pids));
	}
}
