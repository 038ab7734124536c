package io.hapireindex.searchparam;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import io.hapireindex.searchparam.SearchParameterReadinessStore.Row;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.BundleBuilder;
import ca.uhn.fhir.util.FhirTerser;
import ca.uhn.fhir.util.OperationOutcomeUtil;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.util.function.BooleanSupplier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * On the host's RestfulServer: a search using a parameter that is not ready gets a warning entry in its Bundle
 * ({@code entry.search.mode = outcome}), or a 400 when
 * {@code hapi-fhir-reindex.strict-search-parameter-readiness} is true (read per request); the
 * CapabilityStatement notes such parameters in their documentation.
 */
@Interceptor
public class SearchParameterReadinessInterceptor {

	static final String PENDING_NOTE = " (reindex pending: results may be incomplete)";
	static final String FAILED_NOTE = " (reindex failed: results may be incomplete)";
	private static final String WARNING_KEY = SearchParameterReadinessInterceptor.class.getName() + ".warning";

	private final SearchParameterReadiness readiness;
	/** {@code strict-search-parameter-readiness}, read at each search: refuse such searches instead of warning. */
	private final BooleanSupplier strict;

	public SearchParameterReadinessInterceptor(SearchParameterReadiness readiness, BooleanSupplier strict) {
		this.readiness = readiness;
		this.strict = strict;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void checkSearch(RequestDetails request, RestOperationTypeEnum operation) {
		if (operation != RestOperationTypeEnum.SEARCH_TYPE || request.getResourceName() == null) {
			return;
		}
		List<Row> notReady = readiness.notReady(request.getResourceName(), searchNames(request));
		if (notReady.isEmpty()) {
			return;
		}
		String message = notReady.stream()
						.map(r -> "Search parameter '" + r.code() + "' (" + r.url() + ") is " + r.status()
								+ (r.jobId() == null ? "" : " (reindex job " + r.jobId() + ")"))
						.collect(Collectors.joining("; "))
				+ ": its index is not complete, so the results may be incomplete. See [base]/SearchParameter/$status.";
		if (strict.getAsBoolean()) {
			throw new InvalidRequestException(message);
		}
		request.getUserData().put(WARNING_KEY, message);
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void annotate(RequestDetails request, ResponseDetails response) {
		Object warning = request.getUserData().get(WARNING_KEY);
		IBaseResource resource = response.getResponseResource();
		if (resource == null) {
			return;
		}
		FhirContext ctx = request.getFhirContext();
		if (warning != null && resource instanceof IBaseBundle bundle) {
			IBaseOperationOutcome outcome = OperationOutcomeUtil.newInstance(ctx);
			OperationOutcomeUtil.addIssue(ctx, outcome, "warning", (String) warning, null, "incomplete");
			BundleBuilder builder = new BundleBuilder(ctx, bundle);
			IBase entry = builder.addEntry();
			builder.addToEntry(entry, "resource", outcome);
			builder.setSearchField(builder.addSearch(entry), "mode", "outcome");
		} else if (resource instanceof IBaseConformance statement) {
			List<Row> notReady = readiness.allNotReady();
			if (!notReady.isEmpty()) {
				// HAPI caches the statement it generated: annotate a copy, never the cached object
				FhirTerser terser = ctx.newTerser();
				IBaseConformance copy = terser.clone(statement);
				mark(terser, copy, notReady);
				response.setResponseResource(copy);
			}
		}
	}

	/** Works on CapabilityStatement of every version (DSTU3 to R5 name these elements alike). */
	private static void mark(FhirTerser terser, IBaseConformance statement, List<Row> notReady) {
		for (IBase resource : terser.getValues(statement, "rest.resource")) {
			String type = terser.getSinglePrimitiveValueOrNull(resource, "type");
			for (IBase sp : terser.getValues(resource, "searchParam")) {
				String name = terser.getSinglePrimitiveValueOrNull(sp, "name");
				for (Row row : notReady) {
					boolean applies = row.bases().contains(type) || row.bases().contains(SearchParameterReadiness.RESOURCE);
					if (applies && row.code().equals(name)) {
						String note = SearchParameterReadinessStore.FAILED.equals(row.status()) ? FAILED_NOTE : PENDING_NOTE;
						String doc = terser.getSinglePrimitiveValueOrNull(sp, "documentation");
						if (doc == null || !doc.endsWith(note)) {
							terser.setElement(sp, "documentation", (doc == null ? "" : doc) + note);
						}
					}
				}
			}
		}
	}

	/** Parameter names a search uses on its own type: modifiers and chains stripped, result parameters left out. */
	static Set<String> searchNames(RequestDetails request) {
		return request.getParameters() == null ? new TreeSet<>() : searchNames(request.getParameters().keySet());
	}

	/** Parameter names among these query keys: modifiers and chains stripped, result parameters left out. */
	static Set<String> searchNames(java.util.Collection<String> keys) {
		Set<String> names = new TreeSet<>();
		for (String key : keys) {
			if (key.startsWith("_")) {
				continue;
			}
			int end = key.length();
			for (char c : new char[] {':', '.'}) {
				int i = key.indexOf(c);
				if (i >= 0) {
					end = Math.min(end, i);
				}
			}
			names.add(key.substring(0, end));
		}
		return names;
	}
}
