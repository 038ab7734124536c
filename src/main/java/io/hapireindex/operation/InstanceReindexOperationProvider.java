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
		requireNoParameters(request);
		return service.reindex(request, id);
	}

	/**
	 * The operation takes no parameters, so HAPI never reads its body and would accept anything there (plain text,
	 * a Patient). A body must be empty or a Parameters resource without parameters, else 400 and nothing is written.
	 */
	private static void requireNoParameters(RequestDetails request) {
		byte[] body = request.loadRequestContents();
		if (body == null || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
			return;
		}
		String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
		ca.uhn.fhir.rest.api.EncodingEnum encoding = ca.uhn.fhir.rest.server.RestfulServerUtils
				.determineRequestEncodingNoDefault(request);
		if (encoding == null) {
			throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(OperationNames.REINDEX
					+ " takes no parameters; the body must be empty or a FHIR Parameters resource (Content-Type "
					+ request.getHeader("Content-Type") + " is not FHIR)");
		}
		org.hl7.fhir.instance.model.api.IBaseResource parsed;
		try {
			parsed = encoding.newParser(request.getFhirContext()).parseResource(text);
		} catch (ca.uhn.fhir.parser.DataFormatException e) {
			throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(OperationNames.REINDEX
					+ ": the body is not a FHIR Parameters resource: " + e.getMessage());
		}
		if (!(parsed instanceof IBaseParameters)) {
			throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(OperationNames.REINDEX
					+ ": the body is a " + request.getFhirContext().getResourceType(parsed) + ", not a Parameters resource");
		}
		var given = ca.uhn.fhir.util.ParametersUtil.getNamedParameters(request.getFhirContext(), parsed).keySet();
		if (!given.isEmpty()) {
			throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(
					OperationNames.REINDEX + " takes no parameters at instance level; got " + new java.util.TreeSet<>(given));
		}
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
