package io.hapireindex.operation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexJobService;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseParameters;

import java.util.List;

/**
 * {@code POST [base]/$terminology-reindex}: starts a job of the module that reindexes CodeSystem, ValueSet,
 * ConceptMap and NamingSystem resources and rebuilds the terminology storage derived from them. Answers as
 * {@code $reindex} (201, or 202 with {@code Prefer: respond-async}; {@code Content-Location} of the job; its status).
 */
public class TerminologyReindexOperationProvider {

	private final TerminologyRequestParser parser;
	private final ReindexJobService jobs;
	private final IRequestPartitionHelperSvc partitionHelper;
	private final FhirContext fhirContext;

	public TerminologyReindexOperationProvider(
			TerminologyRequestParser parser,
			ReindexJobService jobs,
			IRequestPartitionHelperSvc partitionHelper,
			FhirContext fhirContext) {
		this.parser = parser;
		this.jobs = jobs;
		this.partitionHelper = partitionHelper;
		this.fhirContext = fhirContext;
	}

	@SuppressWarnings("unused") // declared for the OperationDefinition; the values are read from the body
	@Description(shortDefinition = "Reindex terminology resources and rebuild their terminology storage (batch2 job);"
			+ " see the job at [base]/_operations/reindex/{id}")
	@Operation(name = OperationNames.TERMINOLOGY_REINDEX, idempotent = false)
	public IBaseParameters terminologyReindex(
			@Description(shortDefinition = "CodeSystem, ValueSet, ConceptMap or NamingSystem; repeatable; none = all four (Kodjin)")
			@OperationParam(name = TerminologyRequestParser.RESOURCE_TYPE, min = 0, max = OperationParam.MAX_UNLIMITED) List<IBase> resourceType,
			@Description(shortDefinition = "One terminology resource, Type/id; repeatable (Kodjin)")
			@OperationParam(name = TerminologyRequestParser.RESOURCE_ID, min = 0, max = OperationParam.MAX_UNLIMITED) List<IBase> resourceId,
			RequestDetails request) {
		List<GivenParameter> body = RequestBodies.operationBody(request, OperationNames.TERMINOLOGY_REINDEX);
		RequestPartitionId callerPartition = partitionHelper.determineReadPartitionForRequestForServerOperation(
				request, OperationNames.TERMINOLOGY_REINDEX);
		ReindexJobParameters parameters = parser.parse(body, request.getResourceName(), callerPartition);
		return StartReindexOperationProvider.startedAnswer(request, fhirContext, jobs, jobs.start(parameters, request));
	}
}
