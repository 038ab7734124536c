package io.hapireindex.admin;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.coordinator.JobDefinitionRegistry;
import ca.uhn.fhir.batch2.model.BatchWorkChunkStatusDTO;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.models.JobInstanceFetchRequest;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hapireindex.job.JobInstances;
import io.hapireindex.job.JobStatuses;
import io.hapireindex.job.ReindexJob;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.hapi.Batch2Tables;
import io.hapireindex.status.JobStatus;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Sort;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the admin page shows about batch2 jobs of every kind, as plain maps for JSON. The module's own jobs add
 * their counts from {@link JobProgressStore}; HAPI's jobs show what batch2 records about them.
 */
class AdminJobView {

	/** Failed resources listed in a job's detail; the download has all of them. */
	static final int ERRORS_SHOWN = 200;
	private static final int MAX_MESSAGE_IN_LIST = 300;
	private static final int THROUGHPUT_POINTS = 40;
	private static final ObjectMapper JSON = new ObjectMapper();

	private final IJobCoordinator coordinator;
	private final JobDefinitionRegistry definitions;
	private final JobProgressStore progress;

	AdminJobView(IJobCoordinator coordinator, JobDefinitionRegistry definitions, JobProgressStore progress) {
		this.coordinator = coordinator;
		this.definitions = definitions;
		this.progress = progress;
	}

	/**
	 * One page of jobs, newest first, filtered in the database by batch2 state and job type: the cost of a call is
	 * one page, however many jobs the server has.
	 */
	Map<String, Object> list(String state, String type, int page, int size) {
		JobInstanceFetchRequest request = new JobInstanceFetchRequest();
		request.setPageStart(page);
		request.setBatchSize(size);
		request.setSort(Sort.by(Sort.Direction.DESC, Batch2Tables.INSTANCE_CREATE_TIME_PROPERTY));
		request.setJobStatus(state);
		request.setJobDefinitionId(type);
		Page<JobInstance> found = coordinator.fetchAllJobInstances(request);
		List<Map<String, Object>> jobs = new ArrayList<>();
		for (JobInstance instance : found.getContent()) {
			Map<String, Object> summary = summary(instance);
			Object message = summary.get("errorMessage");
			if (message instanceof String s && s.length() > MAX_MESSAGE_IN_LIST) {
				summary.put("errorMessage", s.substring(0, MAX_MESSAGE_IN_LIST) + "…");
			}
			jobs.add(summary);
		}
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("page", page);
		result.put("size", size);
		result.put("total", found.getTotalElements());
		result.put("totalPages", found.getTotalPages());
		result.put("jobs", jobs);
		return result;
	}

	/** Every job type batch2 knows on this server (ours, HAPI's REINDEX, bulk export, delete-expunge...). */
	List<String> jobTypes() {
		return new ArrayList<>(new TreeSet<>(definitions.getJobDefinitionIds()));
	}

	JobInstance instance(String jobId) {
		return JobInstances.find(coordinator, jobId)
				.orElseThrow(() -> new ResourceNotFoundException("No batch job with id '" + jobId + "'"));
	}

	static boolean isModuleJob(JobInstance instance) {
		return ReindexJob.JOB_DEFINITION_ID.equals(instance.getJobDefinitionId());
	}

	/** The row of the list: cheap (one small query for the module's jobs, none for HAPI's). */
	Map<String, Object> summary(JobInstance instance) {
		Map<String, Object> m = new LinkedHashMap<>();
		boolean ours = isModuleJob(instance);
		m.put("id", instance.getInstanceId());
		m.put("type", instance.getJobDefinitionId());
		m.put("version", instance.getJobDefinitionVersion());
		m.put("module", ours);
		m.put("state", instance.getStatus().name());
		m.put("cancelRequested", instance.isCancelled());
		m.put("created", iso(instance.getCreateTime()));
		m.put("started", iso(instance.getStartTime()));
		m.put("ended", iso(instance.getEndTime() != null || !instance.getStatus().isEnded()
				? instance.getEndTime() : instance.getUpdateTime()));
		m.put("startedBy", instance.getTriggeringUsername() != null
				? instance.getTriggeringUsername() : instance.getTriggeringClientId());
		m.put("errorMessage", instance.getErrorMessage());
		if (ours) {
			JobStatus status = JobStatuses.of(
					instance, params(instance), progress.scopes(instance.getInstanceId()), List.of());
			m.put("status", status.status());
			m.put("progress", number(status.progress()));
			m.put("done", status.done());
			m.put("total", status.total());
			m.put("failed", status.failed());
			m.put("rate", number(status.resourcesPerSecond()));
			m.put("etaSeconds", status.estimatedTimeRemaining());
			m.put("restartOf", status.restartOf());
		} else {
			m.put("status", JobStatus.statusWord(instance, 0));
			m.put("progress", Math.round(instance.getProgress() * 1000) / 10.0);
			m.put("done", instance.getCombinedRecordsProcessed());
			m.put("total", null);
			m.put("failed", instance.getErrorCount());
			m.put("rate", instance.getCombinedRecordsProcessedPerSecond() == null ? null
					: Math.round(instance.getCombinedRecordsProcessedPerSecond() * 10) / 10.0);
			m.put("eta", instance.getEstimatedTimeRemaining());
		}
		boolean ended = instance.getStatus().isEnded();
		m.put("canCancel", !ended && !instance.isCancelled());
		m.put("canRestart", ours && ended);
		m.put("canRetryFailed", ours && ended && m.get("failed") instanceof Number n && n.longValue() > 0);
		return m;
	}

	/** Everything about one job: the list row plus parameters, breakdowns, work chunks, failures and throughput. */
	Map<String, Object> detail(String jobId) {
		JobInstance instance = instance(jobId);
		Map<String, Object> m = summary(instance);
		m.put("parameters", parsedParameters(instance.getParameters()));
		m.put("warnings", instance.getWarningMessages());
		m.put("report", instance.getReport());
		m.put("chunks", chunks(jobId));
		if (isModuleJob(instance)) {
			ReindexJobParameters params = params(instance);
			List<JobProgressStore.ScopeProgress> scopes = progress.scopes(jobId);
			m.put("request", params.request());
			m.put("byType", byType(scopes));
			m.put("byPartition", byPartition(params, scopes));
			m.put("scopes", scopes.stream().map(scope -> scopeRow(params, scope)).toList());
			List<JobProgressStore.JobError> errors = progress.errors(jobId, ERRORS_SHOWN);
			m.put("errors", errors.stream().map(AdminJobView::errorRow).toList());
			m.put("errorsShown", errors.size());
			m.put("throughput", throughput(progress.batches(jobId)));
		} else {
			m.put("byType", List.of());
			m.put("byPartition", List.of());
			m.put("scopes", List.of());
			m.put("errors", List.of());
			m.put("errorsShown", 0);
			m.put("throughput", null);
		}
		return m;
	}

	List<JobProgressStore.JobError> allErrors(String jobId) {
		JobInstance instance = instance(jobId);
		if (!isModuleJob(instance)) {
			return instance.getErrorMessage() == null ? List.of()
					: List.of(new JobProgressStore.JobError(null, instance.getErrorMessage(), null));
		}
		return progress.errors(jobId, Integer.MAX_VALUE);
	}

	static ReindexJobParameters params(JobInstance instance) {
		return instance.getParameters(ReindexJobParameters.class);
	}

	private List<Map<String, Object>> chunks(String jobId) {
		List<Map<String, Object>> rows = new ArrayList<>();
		for (BatchWorkChunkStatusDTO c : coordinator.getWorkChunkStatus(jobId)) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("step", c.stepId);
			row.put("state", c.status == null ? null : c.status.name());
			row.put("count", c.totalChunks);
			row.put("firstStart", iso(c.start));
			row.put("lastStop", iso(c.stop));
			// HAPI averages (end - start) cast to long, which Hibernate 6 gives in nanoseconds
			row.put("avgSeconds", c.avg == null ? null : Math.round(c.avg / 1e7) / 100.0);
			rows.add(row);
		}
		return rows;
	}

	private static List<Map<String, Object>> byType(List<JobProgressStore.ScopeProgress> scopes) {
		Map<String, long[]> sums = new LinkedHashMap<>();
		for (JobProgressStore.ScopeProgress s : scopes) {
			long[] t = sums.computeIfAbsent(s.resourceType(), k -> new long[5]);
			add(t, s);
		}
		return rows("resourceType", sums);
	}

	/** The same per-partition counts as the job status's stateByPartition. */
	private static List<Map<String, Object>> byPartition(
			ReindexJobParameters params, List<JobProgressStore.ScopeProgress> scopes) {
		return rows("partition", JobStatuses.countsByPartition(params, scopes));
	}

	private static void add(long[] t, JobProgressStore.ScopeProgress s) {
		t[0] += s.total();
		t[1] += s.reindexed();
		t[2] += s.failed();
		t[3] += s.skipped();
		t[4] += s.changed();
	}

	private static List<Map<String, Object>> rows(String key, Map<String, long[]> sums) {
		List<Map<String, Object>> rows = new ArrayList<>();
		sums.forEach((name, t) -> {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put(key, name);
			row.put("total", t[0]);
			row.put("reindexed", t[1]);
			row.put("failed", t[2]);
			row.put("skipped", t[3]);
			row.put("changed", t[4]);
			rows.add(row);
		});
		return rows;
	}

	private static Map<String, Object> scopeRow(ReindexJobParameters params, JobProgressStore.ScopeProgress s) {
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("scope", s.label());
		// a job over several partitions has the same search once per partition
		row.put("partition", JobStatuses.partitionLabel(params, s.scopeIndex()));
		row.put("resourceType", s.resourceType());
		row.put("loaded", s.loaded());
		row.put("total", s.total());
		row.put("reindexed", s.reindexed());
		row.put("failed", s.failed());
		row.put("skipped", s.skipped());
		return row;
	}

	static Map<String, Object> errorRow(JobProgressStore.JobError e) {
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("resource", e.resource());
		row.put("message", e.message());
		row.put("time", iso(e.time()));
		return row;
	}

	/**
	 * Resources per second over the job's life, from the module's per-batch records: each batch counts in the
	 * time bucket in which it ended. At most {@value #THROUGHPUT_POINTS} points, whatever the number of batches.
	 */
	static Map<String, Object> throughput(List<JobProgressStore.BatchRecord> batches) {
		if (batches.isEmpty()) {
			return null;
		}
		long start = batches.stream().mapToLong(JobProgressStore.BatchRecord::startedMillis).min().orElseThrow();
		long end = batches.stream().mapToLong(JobProgressStore.BatchRecord::endedMillis).max().orElseThrow();
		long span = Math.max(1000, end - start + 1);
		int points = (int) Math.min(THROUGHPUT_POINTS, Math.max(1, span / 500));
		long bucketMillis = (span + points - 1) / points;
		double[] counts = new double[points];
		for (JobProgressStore.BatchRecord b : batches) {
			int i = (int) Math.min(points - 1, Math.max(0, (b.endedMillis() - start) / bucketMillis));
			counts[i] += b.resources();
		}
		List<Double> rates = new ArrayList<>();
		for (double c : counts) {
			rates.add(Math.round(c * 10_000.0 / bucketMillis) / 10.0);
		}
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("start", iso(new Date(start)));
		m.put("bucketSeconds", bucketMillis / 1000.0);
		m.put("batches", batches.size());
		m.put("ratePerSecond", rates);
		return m;
	}

	private static Object parsedParameters(String json) {
		if (json == null) {
			return null;
		}
		try {
			return JSON.readValue(json, Object.class);
		} catch (Exception e) {
			return json;
		}
	}

	static String iso(Date date) {
		return date == null ? null : date.toInstant().toString();
	}

	/** A whole number as an integer in JSON (100, not 100.0), as the page has always shown counts and percents. */
	private static Number number(BigDecimal value) {
		if (value == null) {
			return null;
		}
		double d = value.doubleValue();
		return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Number) (long) d : (Number) d;
	}
}
