package io.hapireindex.operation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexJobService;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import io.hapireindex.status.JobStatusParameters;

import java.util.List;

/**
 * {@code POST [base]/$reindex}: starts a reindex job and answers 201 (202 with {@code Prefer: respond-async})
 * with the job's status and {@code Content-Location: [base]/_operations/reindex/{id}}.
 *
 * <p>Every parameter is declared so the OperationDefinition names it, but typed {@link IBase} and read from
 * the body by {@link StartRequestParser}: HAPI's own conversion would reject Azure's integers-as-strings
 * and could not say which parameter was wrong in the contract's words.
 */
public class StartReindexOperationProvider {

	private final StartRequestParser parser;
	private final ReindexJobService jobs;
	private final IRequestPartitionHelperSvc partitionHelper;
	private final FhirContext fhirContext;

	public StartReindexOperationProvider(
			StartRequestParser parser,
			ReindexJobService jobs,
			IRequestPartitionHelperSvc partitionHelper,
			FhirContext fhirContext) {
		this.parser = parser;
		this.jobs = jobs;
		this.partitionHelper = partitionHelper;
		this.fhirContext = fhirContext;
	}

	@SuppressWarnings("unused") // declared for the OperationDefinition; the values are read from the body
	@Description(shortDefinition = "Start a reindex job (batch2); see the job at [base]/_operations/reindex/{id}")
	@Operation(name = OperationNames.REINDEX, idempotent = false)
	public IBaseParameters startReindex(
			@Description(shortDefinition = "Relative search URL Type?params; repeatable (HAPI)")
			@OperationParam(name = StartParameterNames.URL, min = 0, max = OperationParam.MAX_UNLIMITED) List<IBase> url,
			@Description(shortDefinition = "A resource type, or * for all; repeatable (Kodjin)")
			@OperationParam(name = StartParameterNames.RESOURCE_TYPE, min = 0, max = OperationParam.MAX_UNLIMITED) List<IBase> resourceType,
			@Description(shortDefinition = "Comma-separated resource types (Azure)")
			@OperationParam(name = StartParameterNames.TARGET_RESOURCE_TYPES, min = 0, max = 1) IBase targetResourceTypes,
			@Description(shortDefinition = "One resource, Type/id; repeatable (Kodjin)")
			@OperationParam(name = StartParameterNames.RESOURCE_ID, min = 0, max = OperationParam.MAX_UNLIMITED) List<IBase> resourceId,
			@Description(shortDefinition = "Id of a SearchParameter: scan only the types it applies to, recompute only its rows; repeatable (Kodjin)")
			@OperationParam(name = StartParameterNames.SEARCH_PARAMETER, min = 0, max = OperationParam.MAX_UNLIMITED) List<IBase> searchParameter,
			@Description(shortDefinition = "Comma-separated SearchParameter canonical URLs: scan only their types, recompute only their rows (Azure)")
			@OperationParam(name = StartParameterNames.TARGET_SEARCH_PARAMETER_TYPES, min = 0, max = 1) IBase targetSearchParameterTypes,
			@Description(shortDefinition = "Partition id or name, or _ALL; repeatable (HAPI)")
			@OperationParam(name = StartParameterNames.PARTITION_ID, min = 0, max = OperationParam.MAX_UNLIMITED) List<IBase> partitionId,
			@Description(shortDefinition = "all (default) or none")
			@OperationParam(name = StartParameterNames.REINDEX_SEARCH_PARAMETERS, min = 0, max = 1) IBase reindexSearchParameters,
			@Description(shortDefinition = "NONE (default), CURRENT_VERSION or ALL_VERSIONS")
			@OperationParam(name = StartParameterNames.OPTIMIZE_STORAGE, min = 0, max = 1) IBase optimizeStorage,
			@Description(shortDefinition = "Version-check each resource at commit (default true)")
			@OperationParam(name = StartParameterNames.OPTIMISTIC_LOCK, min = 0, max = 1) IBase optimisticLock,
			@Description(shortDefinition = "ALL or NONE (default)")
			@OperationParam(name = StartParameterNames.CORRECT_CURRENT_VERSION, min = 0, max = 1) IBase correctCurrentVersion,
			@Description(shortDefinition = "Resources per chunk, 1..5000 (default 500)")
			@OperationParam(name = StartParameterNames.MAX_RESOURCES_PER_QUERY, min = 0, max = 1) IBase maximumNumberOfResourcesPerQuery,
			@Description(shortDefinition = "Alias of maximumNumberOfResourcesPerQuery (HAPI)")
			@OperationParam(name = StartParameterNames.BATCH_SIZE, min = 0, max = 1) IBase batchSize,
			@Description(shortDefinition = "Chunks of this job in flight across the cluster, 1..10")
			@OperationParam(name = StartParameterNames.MAX_CONCURRENCY, min = 0, max = 1) IBase maximumConcurrency,
			@Description(shortDefinition = "Pause before each chunk, 0..500000 ms")
			@OperationParam(name = StartParameterNames.QUERY_DELAY, min = 0, max = 1) IBase queryDelayIntervalInMilliseconds,
			@Description(shortDefinition = "Share of database time the job aims for, 1..100 percent")
			@OperationParam(name = StartParameterNames.DATA_STORE_USAGE, min = 0, max = 1) IBase targetDataStoreUsagePercentage,
			RequestDetails request) {
		List<GivenParameter> body = RequestBodies.operationBody(request, OperationNames.REINDEX);
		String levelType = request.getResourceName();
		RequestPartitionId callerPartition =
				partitionHelper.determineReadPartitionForRequestForServerOperation(request, OperationNames.REINDEX);
		ReindexJobParameters parameters = parser.parse(body, levelType, callerPartition);
		return startedAnswer(request, fhirContext, jobs, jobs.start(parameters, request));
	}

	/** 201 (202 when the client prefers respond-async) with the job's address and its status. */
	static IBaseParameters startedAnswer(
			RequestDetails request, FhirContext fhirContext, ReindexJobService jobs, ReindexJobService.Started started) {
		boolean async = request.getHeaders(Constants.HEADER_PREFER).stream()
				.anyMatch(h -> h.contains(Constants.HEADER_PREFER_RESPOND_ASYNC));
		request.getUserData().put(ResponseStatusInterceptor.STATUS_KEY, async ? 202 : 201);
		request.getResponse().addHeader(
				Constants.HEADER_CONTENT_LOCATION, JobApiPaths.jobUrl(request.getFhirServerBase(), started.jobId()));
		IBaseParameters status = JobStatusParameters.render(fhirContext, jobs.status(started.jobId()));
		// without a resource id HAPI adds no Location of its own to a 201: the job's address is Content-Location
		status.setId((String) null);
		return status;
	}
}
