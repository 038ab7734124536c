package io.hapireindex.operation;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import io.hapireindex.index.InstanceReindexService;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code POST [base]/[type]/[id]/$reindex} and {@code GET|POST [base]/[type]/[id]/$reindex-dryrun}, bound for
 * every resource type ({@code global}), like HAPI's {@code InstanceReindexProvider} which this replaces.
 */
public class InstanceReindexOperationProvider {

	private final InstanceReindexService service;

	public InstanceReindexOperationProvider(InstanceReindexService service) {
		this.service = service;
	}

	@Description(shortDefinition = "Reindex this resource now and report every index row as ADD, REMOVE or NO_CHANGE")
	@Operation(name = OperationNames.REINDEX, idempotent = false, global = true)
	public IBaseParameters reindexInstance(@IdParam IIdType id, RequestDetails request) {
		return service.reindex(request, id);
	}

	@Description(shortDefinition = "Report the index rows a reindex of this resource would add or remove; writes nothing")
	@Operation(name = OperationNames.REINDEX_DRYRUN, idempotent = true, global = true)
	public IBaseParameters reindexInstanceDryRun(
			@IdParam IIdType id,
			@Description(shortDefinition = "Only report the rows of these search parameters (names, e.g. 'family')")
			@OperationParam(name = "code", typeName = "code", min = 0, max = OperationParam.MAX_UNLIMITED)
					List<IPrimitiveType<String>> codes,
			RequestDetails request) {
		Set<String> codeSet = codes == null
				? Set.of()
				: codes.stream()
						.map(IPrimitiveType::getValueAsString)
						.filter(c -> c != null && !c.isBlank())
						.collect(Collectors.toUnmodifiableSet());
		return service.dryRun(request, id, codeSet);
	}
}
