package io.hapireindex.searchparam;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import io.hapireindex.operation.InvalidStartParameterException;
import io.hapireindex.searchparam.SearchParameterReadinessStore.Row;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.ParametersUtil;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

import java.util.Date;
import java.util.Set;

/**
 * {@code GET [base]/SearchParameter/$status}: per custom search parameter its url, code, base(s) and readiness
 * ({@code pending}, {@code reindexing} with the job id, {@code ready}, {@code failed} with the job id and error).
 */
public class SearchParameterStatusProvider implements IResourceProvider {

	static final String OPERATION = "$status";
	private static final Set<String> ALLOWED = Set.of("url", "code", "resourceType", "_format", "_pretty", "_summary", "_elements");

	private final Class<? extends IBaseResource> searchParameterType;
	private final SearchParameterReadiness readiness;
	private final DaoRegistry daoRegistry;

	public SearchParameterStatusProvider(
			Class<? extends IBaseResource> searchParameterType, SearchParameterReadiness readiness, DaoRegistry daoRegistry) {
		this.searchParameterType = searchParameterType;
		this.readiness = readiness;
		this.daoRegistry = daoRegistry;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return searchParameterType;
	}

	@Description(shortDefinition = "Readiness of custom search parameters: pending, reindexing, ready or failed")
	@Operation(name = OPERATION, idempotent = true)
	public IBaseParameters status(
			@Description(shortDefinition = "Only the parameter with this canonical URL")
			@OperationParam(name = "url", typeName = "uri", min = 0, max = 1) IPrimitiveType<String> url,
			@Description(shortDefinition = "Only parameters with this code")
			@OperationParam(name = "code", typeName = "code", min = 0, max = 1) IPrimitiveType<String> code,
			@Description(shortDefinition = "Only parameters that apply to this resource type")
			@OperationParam(name = "resourceType", typeName = "code", min = 0, max = 1) IPrimitiveType<String> resourceType,
			RequestDetails request) {
		if (request.getParameters() != null) {
			for (String name : request.getParameters().keySet()) {
				if (!ALLOWED.contains(name)) {
					throw new InvalidStartParameterException(name, "unknown parameter. Allowed: url, code, resourceType");
				}
				String[] values = request.getParameters().get(name);
				if (!name.startsWith("_") && (values.length != 1 || values[0] == null || values[0].isBlank())) {
					throw new InvalidStartParameterException(name, "needs exactly one non-empty value");
				}
			}
		}
		String urlFilter = value("url", url);
		String codeFilter = value("code", code);
		String typeFilter = value("resourceType", resourceType);
		if (typeFilter != null && !daoRegistry.isResourceTypeSupported(typeFilter)) {
			throw new InvalidStartParameterException("resourceType", "'" + typeFilter + "' is not a resource type this server stores");
		}
		FhirContext ctx = request.getFhirContext();
		IBaseParameters out = ParametersUtil.newInstance(ctx);
		for (Row row : readiness.all()) {
			if ((urlFilter != null && !urlFilter.equals(row.url()))
					|| (codeFilter != null && !codeFilter.equals(row.code()))
					|| (typeFilter != null && !row.bases().contains(typeFilter)
							&& !row.bases().contains(SearchParameterReadiness.RESOURCE))) {
				continue;
			}
			IBase p = ParametersUtil.addParameterToParameters(ctx, out, "searchParameter");
			ParametersUtil.addPart(ctx, p, "url", ParametersUtil.createUri(ctx, row.url()));
			if (row.code() != null) {
				ParametersUtil.addPartCode(ctx, p, "code", row.code());
			}
			row.bases().forEach(b -> ParametersUtil.addPartCode(ctx, p, "base", b));
			ParametersUtil.addPartCode(ctx, p, "status", row.status());
			if (row.jobId() != null) {
				ParametersUtil.addPartString(ctx, p, "jobId", row.jobId());
			}
			if (row.error() != null) {
				ParametersUtil.addPartString(ctx, p, "error", row.error());
			}
			addDate(ctx, p, "changed", row.since());
			addDate(ctx, p, "lastModified", row.updated());
		}
		return out;
	}

	/** A dateTime to the second in the server's zone, as the R4-only version wrote it. */
	private static void addDate(FhirContext ctx, IBase parameter, String name, Date date) {
		if (date != null) {
			ParametersUtil.addPart(ctx, parameter, name, ctx.getElementDefinition("dateTime").newInstance(date));
		}
	}

	private static String value(String name, IPrimitiveType<String> given) {
		if (given == null) {
			return null;
		}
		String v = given.getValueAsString();
		if (v == null || v.isBlank()) {
			throw new InvalidStartParameterException(name, "needs a non-empty value");
		}
		return v.trim();
	}
}
