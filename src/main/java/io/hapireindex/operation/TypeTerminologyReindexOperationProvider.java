package io.hapireindex.operation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.rest.server.IResourceProvider;
import io.hapireindex.job.ReindexJobService;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** {@code POST [base]/[CodeSystem|ValueSet|ConceptMap|NamingSystem]/$terminology-reindex}: one instance per type. */
public class TypeTerminologyReindexOperationProvider extends TerminologyReindexOperationProvider implements IResourceProvider {

	private final Class<? extends IBaseResource> resourceType;

	public TypeTerminologyReindexOperationProvider(
			Class<? extends IBaseResource> resourceType,
			TerminologyRequestParser parser,
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
