package io.hapireindex.searchparam;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import io.hapireindex.operation.InvalidStartParameterException;
import io.hapireindex.searchparam.SearchParameterReadinessStore.Row;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;

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
	public Parameters status(
			@Description(shortDefinition = "Only the parameter with this canonical URL")
			@OperationParam(name = "url", min = 0, max = 1) UriType url,
			@Description(shortDefinition = "Only parameters with this code")
			@OperationParam(name = "code", min = 0, max = 1) CodeType code,
			@Description(shortDefinition = "Only parameters that apply to this resource type")
			@OperationParam(name = "resourceType", min = 0, max = 1) CodeType resourceType,
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
		Parameters out = new Parameters();
		for (Row row : readiness.all()) {
			if ((urlFilter != null && !urlFilter.equals(row.url()))
					|| (codeFilter != null && !codeFilter.equals(row.code()))
					|| (typeFilter != null && !row.bases().contains(typeFilter)
							&& !row.bases().contains(SearchParameterReadiness.RESOURCE))) {
				continue;
			}
			Parameters.ParametersParameterComponent p = out.addParameter().setName("searchParameter");
			p.addPart().setName("url").setValue(new UriType(row.url()));
			if (row.code() != null) {
				p.addPart().setName("code").setValue(new CodeType(row.code()));
			}
			row.bases().forEach(b -> p.addPart().setName("base").setValue(new CodeType(b)));
			p.addPart().setName("status").setValue(new CodeType(row.status()));
			if (row.jobId() != null) {
				p.addPart().setName("jobId").setValue(new StringType(row.jobId()));
			}
			if (row.error() != null) {
				p.addPart().setName("error").setValue(new StringType(row.error()));
			}
			if (row.since() != null) {
				p.addPart().setName("changed").setValue(new DateTimeType(row.since()));
			}
			if (row.updated() != null) {
				p.addPart().setName("lastModified").setValue(new DateTimeType(row.updated()));
			}
		}
		return out;
	}

	private static String value(String name, org.hl7.fhir.r4.model.PrimitiveType<?> given) {
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
