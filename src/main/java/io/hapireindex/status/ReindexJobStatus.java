package io.hapireindex.status;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;

import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexScope;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The status of one job as the contract's {@code Parameters}: Azure's flat fields (so Azure scripts keep
 * working), Kodjin's {@code stateByResourceType}, and the module's own additions.
 */
public final class ReindexJobStatus {

	/** Errors shown in a status; the rest stay in the table for the admin page and export. */
	static final int MAX_ERRORS_SHOWN = 100;

	private ReindexJobStatus() {}

	/** The contract's status words, from batch2's state and the module's own counts. */
	public static String statusWord(JobInstance instance, long failed) {
		StatusEnum status = instance.getStatus();
		if (status == StatusEnum.CANCELLED || (instance.isCancelled() && !status.isEnded())) {
			return "Canceled";
		}
		return switch (status) {
			case QUEUED -> "Queued";
			case COMPLETED -> failed > 0 ? "Failed" : "Completed";
			case FAILED -> "Failed";
			default -> "Running";
		};
	}

	/** Per-type totals, summed over the scopes of that type. */
	record TypeState(String type, long total, long reindexed, long failed, long skipped) {}

	public static Parameters toParameters(
			JobInstance instance,
			ReindexJobParameters params,
			List<JobProgressStore.ScopeProgress> scopes,
			List<JobProgressStore.JobError> errors) {
		Map<String, TypeState> byType = new LinkedHashMap<>();
		for (JobProgressStore.ScopeProgress s : scopes) {
			byType.merge(
					s.resourceType(),
					new TypeState(s.resourceType(), s.total(), s.reindexed(), s.failed(), s.skipped()),
					(a, b) -> new TypeState(a.type(), a.total() + b.total(), a.reindexed() + b.reindexed(),
							a.failed() + b.failed(), a.skipped() + b.skipped()));
		}
		long total = byType.values().stream().mapToLong(TypeState::total).sum();
		long reindexed = byType.values().stream().mapToLong(TypeState::reindexed).sum();
		long failed = byType.values().stream().mapToLong(TypeState::failed).sum();
		long skipped = byType.values().stream().mapToLong(TypeState::skipped).sum();
		long done = reindexed + failed + skipped;

		Parameters p = new Parameters();
		p.setId(instance.getInstanceId());
		p.addParameter("id", new StringType(instance.getInstanceId()));
		p.addParameter("status", new StringType(statusWord(instance, failed)));
		boolean ended = instance.getStatus().isEnded();
		addDate(p, "queuedTime", instance.getCreateTime());
		if (instance.getStatus() != StatusEnum.QUEUED) {
			addDate(p, "startTime", instance.getStartTime());
		}
		// batch2 sets no end time on a cancelled job: its last update is when it was moved to CANCELLED
		addDate(p, "endTime", ended && instance.getEndTime() == null ? instance.getUpdateTime() : instance.getEndTime());
		addDate(p, "lastModified", instance.getUpdateTime() != null ? instance.getUpdateTime() : instance.getCreateTime());
		p.addParameter("totalResourcesToReindex", new DecimalType(total));
		p.addParameter("resourcesSuccessfullyReindexed", new DecimalType(reindexed));
		p.addParameter("resourcesFailed", new DecimalType(failed));
		p.addParameter("resourcesSkipped", new DecimalType(skipped));
		p.addParameter("resourcesChanged", new DecimalType(scopes.stream().mapToLong(JobProgressStore.ScopeProgress::changed).sum()));
		p.addParameter("resourceRetries", new DecimalType(scopes.stream().mapToLong(JobProgressStore.ScopeProgress::retries).sum()));
		p.addParameter("progress", new DecimalType(progressPercent(done, total, ended && !instance.isCancelled())));
		addText(p, "resources", String.join(",", byType.keySet()));
		addText(p, "searchParams", String.join(",", params.searchParameterUrls()));
		addText(
				p,
				"resourceReindexProgressByResource (CountReindexed of Count)",
				byType.values().stream()
						.map(t -> t.type() + ":" + t.reindexed() + " of " + t.total())
						.collect(Collectors.joining(", ")));
		p.addParameter("maximumConcurrency", new DecimalType(params.maximumConcurrency()));
		p.addParameter("queryDelayIntervalInMilliseconds", new DecimalType(params.queryDelayMillis()));
		p.addParameter("maximumNumberOfResourcesPerQuery", new DecimalType(params.batchSize()));
		p.addParameter("targetDataStoreUsagePercentage", new DecimalType(params.targetDataStoreUsagePercentage()));
		p.addParameter("partition", new StringType(params.partitionLabel()));
		addRate(p, instance, done, total, ended);
		if (params.restartOf() != null) {
			p.addParameter("restartOf", new StringType(params.restartOf()));
		}
		if (params.terminology()) {
			// the operation that started it: a $terminology-reindex job also rebuilt terminology storage
			p.addParameter("operation", new StringType("$terminology-reindex"));
		}

		if (!params.request().isEmpty()) {
			Parameters.ParametersParameterComponent request = p.addParameter().setName("request");
			params.request().forEach((name, values) ->
					values.forEach(v -> request.addPart().setName(name).setValue(new StringType(v))));
		}

		Map<String, String> firstErrorByType = new LinkedHashMap<>();
		errors.stream().filter(e -> e.resource() != null).forEach(e ->
				firstErrorByType.putIfAbsent(typeOf(e.resource()), e.message()));
		for (TypeState t : byType.values()) {
			Parameters.ParametersParameterComponent state = p.addParameter().setName("stateByResourceType");
			state.addPart().setName("resourceType").setValue(new StringType(t.type()));
			state.addPart().setName("count").setValue(new DecimalType(t.total()));
			state.addPart().setName("reindexed").setValue(new DecimalType(t.reindexed()));
			state.addPart().setName("failed").setValue(new DecimalType(t.failed()));
			state.addPart().setName("skipped").setValue(new DecimalType(t.skipped()));
			if (firstErrorByType.containsKey(t.type())) {
				state.addPart().setName("error").setValue(new StringType(firstErrorByType.get(t.type())));
			}
		}
		// Only on a partitioned server's jobs: elsewhere every scope is "_ALL" and the rows would repeat the totals.
		if (scopes.stream().anyMatch(s -> !"_ALL".equals(partitionLabel(params, s.scopeIndex())))) {
			for (Map.Entry<String, long[]> e : countsByPartition(params, scopes).entrySet()) {
				Parameters.ParametersParameterComponent state = p.addParameter().setName("stateByPartition");
				state.addPart().setName("partition").setValue(new StringType(e.getKey()));
				state.addPart().setName("count").setValue(new DecimalType(e.getValue()[0]));
				state.addPart().setName("reindexed").setValue(new DecimalType(e.getValue()[1]));
				state.addPart().setName("failed").setValue(new DecimalType(e.getValue()[2]));
				state.addPart().setName("skipped").setValue(new DecimalType(e.getValue()[3]));
			}
		}
		List<JobProgressStore.JobError> shown = new ArrayList<>(errors.subList(0, Math.min(errors.size(), MAX_ERRORS_SHOWN)));
		for (JobProgressStore.JobError e : shown) {
			Parameters.ParametersParameterComponent error = p.addParameter().setName("error");
			if (e.resource() != null) {
				error.addPart().setName("resource").setValue(new StringType(e.resource()));
			}
			error.addPart().setName("message").setValue(new StringType(e.message()));
		}
		if (instance.getErrorMessage() != null && !instance.getErrorMessage().isBlank()) {
			p.addParameter().setName("error").addPart().setName("message").setValue(new StringType(instance.getErrorMessage()));
		}
		return p;
	}

	/**
	 * Total, reindexed, failed, skipped and changed per partition, in scope order. On a partitioned server a job
	 * over several partitions (a list, or _ALL) has its scopes split at start into one per partition, so each
	 * partition has its own row, labelled with its name ({@code DEFAULT} for the default partition). A combined
	 * row (label {@code _ALL} or {@code A,B}) remains for the explicit ids, which are looked up in the whole
	 * selection, for jobs started before scopes were split, and for a selection too large to split.
	 */
	public static Map<String, long[]> countsByPartition(
			ReindexJobParameters params, List<JobProgressStore.ScopeProgress> scopes) {
		Map<String, long[]> sums = new LinkedHashMap<>();
		for (JobProgressStore.ScopeProgress s : scopes) {
			String label = partitionLabel(params, s.scopeIndex());
			long[] t = sums.computeIfAbsent(label == null || label.isBlank() ? "(default)" : label, k -> new long[5]);
			t[0] += s.total();
			t[1] += s.reindexed();
			t[2] += s.failed();
			t[3] += s.skipped();
			t[4] += s.changed();
		}
		return sums;
	}

	/** The partition selection of one scope; scope indexes past the planned scopes are the explicit-id groups. */
	public static String partitionLabel(ReindexJobParameters params, int scopeIndex) {
		if (scopeIndex >= params.scopes().size()) {
			return params.partitionLabel();
		}
		RequestPartitionId p = params.scopes().get(scopeIndex).partition();
		return p == null ? null : ReindexScope.partitionLabel(p);
	}

	private static BigDecimal progressPercent(long done, long total, boolean finished) {
		if (total == 0) {
			return finished ? BigDecimal.valueOf(100) : BigDecimal.ZERO;
		}
		return BigDecimal.valueOf(Math.min(done, total) * 100.0 / total).setScale(1, RoundingMode.HALF_UP);
	}

	private static void addRate(Parameters p, JobInstance instance, long done, long total, boolean ended) {
		if (instance.getStartTime() == null) {
			return;
		}
		Date end = ended
				? (instance.getEndTime() != null ? instance.getEndTime() : instance.getUpdateTime())
				: new Date();
		double seconds = Math.max(0.001, (end.getTime() - instance.getStartTime().getTime()) / 1000.0);
		double rate = done / seconds;
		p.addParameter("resourcesPerSecond", new DecimalType(BigDecimal.valueOf(rate).setScale(1, RoundingMode.HALF_UP)));
		if (!ended && rate > 0 && total > done) {
			p.addParameter("estimatedTimeRemaining", new DecimalType(Math.round((total - done) / rate)));
		}
	}

	/** The type an error is about: it names a resource ({@code Patient/1}) or a search ({@code Patient?name=x}). */
	static String typeOf(String resourceOrSearch) {
		int end = resourceOrSearch.length();
		for (char c : new char[] {'/', '?'}) {
			int i = resourceOrSearch.indexOf(c);
			if (i >= 0) {
				end = Math.min(end, i);
			}
		}
		return resourceOrSearch.substring(0, end);
	}

	/** FHIR forbids a parameter with neither value nor parts (inv-1): an empty text is left out. */
	private static void addText(Parameters p, String name, String text) {
		if (text != null && !text.isEmpty()) {
			p.addParameter(name, new StringType(text));
		}
	}

	private static void addDate(Parameters p, String name, Date date) {
		if (date != null) {
			p.addParameter(name, new DateTimeType(date));
		}
	}
}
