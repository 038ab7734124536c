package io.hapireindex.operation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.rest.server.IResourceProvider;
import io.hapireindex.job.ReindexJobService;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * {@code POST [base]/[type]/$reindex}. HAPI binds an operation of a plain provider at server or instance level
 * only, so the type level needs a resource provider; one instance per resource type, sharing the server-level
 * method (HAPI merges its bindings with the host's own provider of that type).
 */
public class TypeStartReindexOperationProvider extends StartReindexOperationProvider implements IResourceProvider {

	private final Class<? extends IBaseResource> resourceType;

	public TypeStartReindexOperationProvider(
			Class<? extends IBaseResource> resourceType,
			StartRequestParser parser,
			ReindexJobService jobs,
			IRequestPartitionHelperSvc partitionHelper,
			FhirContext fhirContext) {
		super(parser, jobs, partitionHelper, fhirContext);
		this.resourceType = resourceType;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return resourceType;
	}
}
