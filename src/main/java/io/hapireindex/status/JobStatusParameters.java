package io.hapireindex.status;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.ParametersUtil;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

import java.math.BigDecimal;
import java.util.Date;

/**
 * A {@link JobStatus} as the contract's {@code Parameters}, in the server's FHIR version: Azure's flat fields (so
 * Azure scripts keep working), Kodjin's {@code stateByResourceType}, and the module's own additions. Counts are
 * {@code valueDecimal} as in Azure's API.
 */
public final class JobStatusParameters {

	private JobStatusParameters() {}

	public static IBaseParameters render(FhirContext ctx, JobStatus s) {
		IBaseParameters p = ParametersUtil.newInstance(ctx);
		p.setId(s.id());
		ParametersUtil.addParameterToParametersString(ctx, p, "id", s.id());
		ParametersUtil.addParameterToParametersString(ctx, p, "status", s.status());
		addDate(ctx, p, "queuedTime", s.queuedTime());
		addDate(ctx, p, "startTime", s.startTime());
		addDate(ctx, p, "endTime", s.endTime());
		addDate(ctx, p, "lastModified", s.lastModified());
		addDecimal(ctx, p, "totalResourcesToReindex", BigDecimal.valueOf(s.total()));
		addDecimal(ctx, p, "resourcesSuccessfullyReindexed", BigDecimal.valueOf(s.reindexed()));
		addDecimal(ctx, p, "resourcesFailed", BigDecimal.valueOf(s.failed()));
		addDecimal(ctx, p, "resourcesSkipped", BigDecimal.valueOf(s.skipped()));
		addDecimal(ctx, p, "resourcesChanged", BigDecimal.valueOf(s.changed()));
		addDecimal(ctx, p, "resourceRetries", BigDecimal.valueOf(s.retries()));
		addDecimal(ctx, p, "progress", s.progress());
		addText(ctx, p, "resources", String.join(",", s.resources()));
		addText(ctx, p, "searchParams", String.join(",", s.searchParams()));
		addText(ctx, p, "resourceReindexProgressByResource (CountReindexed of Count)", s.progressByResource());
		addDecimal(ctx, p, "maximumConcurrency", BigDecimal.valueOf(s.maximumConcurrency()));
		addDecimal(ctx, p, "queryDelayIntervalInMilliseconds", BigDecimal.valueOf(s.queryDelayMillis()));
		addDecimal(ctx, p, "maximumNumberOfResourcesPerQuery", BigDecimal.valueOf(s.batchSize()));
		addDecimal(ctx, p, "targetDataStoreUsagePercentage", BigDecimal.valueOf(s.targetDataStoreUsagePercentage()));
		ParametersUtil.addParameterToParametersString(ctx, p, "partition", s.partition());
		if (s.resourcesPerSecond() != null) {
			addDecimal(ctx, p, "resourcesPerSecond", s.resourcesPerSecond());
		}
		if (s.estimatedTimeRemaining() != null) {
			addDecimal(ctx, p, "estimatedTimeRemaining", BigDecimal.valueOf(s.estimatedTimeRemaining()));
		}
		if (s.restartOf() != null) {
			ParametersUtil.addParameterToParametersString(ctx, p, "restartOf", s.restartOf());
		}
		if (s.terminology()) {
			// the operation that started it: a $terminology-reindex job also rebuilt terminology storage
			ParametersUtil.addParameterToParametersString(ctx, p, "operation", "$terminology-reindex");
		}
		if (!s.request().isEmpty()) {
			IBase request = ParametersUtil.addParameterToParameters(ctx, p, "request");
			s.request().forEach((name, values) -> values.forEach(v -> ParametersUtil.addPartString(ctx, request, name, v)));
		}
		for (JobStatus.TypeState t : s.byType()) {
			IBase state = ParametersUtil.addParameterToParameters(ctx, p, "stateByResourceType");
			ParametersUtil.addPartString(ctx, state, "resourceType", t.type());
			addPartDecimal(ctx, state, "count", t.total());
			addPartDecimal(ctx, state, "reindexed", t.reindexed());
			addPartDecimal(ctx, state, "failed", t.failed());
			addPartDecimal(ctx, state, "skipped", t.skipped());
			if (t.firstError() != null) {
				ParametersUtil.addPartString(ctx, state, "error", t.firstError());
			}
		}
		for (JobStatus.PartitionState t : s.byPartition()) {
			IBase state = ParametersUtil.addParameterToParameters(ctx, p, "stateByPartition");
			ParametersUtil.addPartString(ctx, state, "partition", t.partition());
			addPartDecimal(ctx, state, "count", t.total());
			addPartDecimal(ctx, state, "reindexed", t.reindexed());
			addPartDecimal(ctx, state, "failed", t.failed());
			addPartDecimal(ctx, state, "skipped", t.skipped());
		}
		for (JobProgressStore.JobError e : s.errors()) {
			IBase error = ParametersUtil.addParameterToParameters(ctx, p, "error");
			if (e.resource() != null) {
				ParametersUtil.addPartString(ctx, error, "resource", e.resource());
			}
			ParametersUtil.addPartString(ctx, error, "message", e.message());
		}
		if (s.jobError() != null) {
			ParametersUtil.addPartString(ctx, ParametersUtil.addParameterToParameters(ctx, p, "error"), "message", s.jobError());
		}
		return p;
	}

	/** FHIR forbids a parameter with neither value nor parts (inv-1): an empty text is left out. */
	private static void addText(FhirContext ctx, IBaseParameters p, String name, String text) {
		if (text != null && !text.isEmpty()) {
			ParametersUtil.addParameterToParametersString(ctx, p, name, text);
		}
	}

	private static void addDate(FhirContext ctx, IBaseParameters p, String name, Date date) {
		if (date != null) {
			ParametersUtil.addParameterToParameters(ctx, p, name, dateTime(ctx, date));
		}
	}

	private static void addDecimal(FhirContext ctx, IBaseParameters p, String name, BigDecimal value) {
		ParametersUtil.addParameterToParameters(ctx, p, name, decimal(ctx, value));
	}

	private static void addPartDecimal(FhirContext ctx, IBase parameter, String name, long value) {
		ParametersUtil.addPart(ctx, parameter, name, decimal(ctx, BigDecimal.valueOf(value)));
	}

	@SuppressWarnings("unchecked")
	static IPrimitiveType<BigDecimal> decimal(FhirContext ctx, BigDecimal value) {
		IPrimitiveType<BigDecimal> d = (IPrimitiveType<BigDecimal>) ctx.getElementDefinition("decimal").newInstance();
		d.setValue(value);
		return d;
	}

	/** A dateTime to the second in the server's zone, as {@code new DateTimeType(date)} writes it. */
	@SuppressWarnings("unchecked")
	public static IPrimitiveType<Date> dateTime(FhirContext ctx, Date value) {
		IPrimitiveType<Date> d = (IPrimitiveType<Date>) ctx.getElementDefinition("dateTime").newInstance(value);
		return d;
	}
}
