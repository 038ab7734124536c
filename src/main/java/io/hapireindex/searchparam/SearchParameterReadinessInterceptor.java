package io.hapireindex.searchparam;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import io.hapireindex.searchparam.SearchParameterReadinessStore.Row;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.OperationOutcome;

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
		if (warning != null && response.getResponseResource() instanceof Bundle bundle) {
			OperationOutcome outcome = new OperationOutcome();
			outcome.addIssue()
					.setSeverity(OperationOutcome.IssueSeverity.WARNING)
					.setCode(OperationOutcome.IssueType.INCOMPLETE)
					.setDiagnostics((String) warning);
			bundle.addEntry().setResource(outcome).getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
		} else if (response.getResponseResource() instanceof CapabilityStatement statement) {
			List<Row> notReady = readiness.allNotReady();
			if (!notReady.isEmpty()) {
				// HAPI caches the statement it generated: annotate a copy, never the cached object
				CapabilityStatement copy = statement.copy();
				mark(copy, notReady);
				response.setResponseResource(copy);
			}
		}
	}

	private static void mark(CapabilityStatement statement, List<Row> notReady) {
		for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
			for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
				for (CapabilityStatement.CapabilityStatementRestResourceSearchParamComponent sp : resource.getSearchParam()) {
					for (Row row : notReady) {
						boolean applies = row.bases().contains(resource.getType())
								|| row.bases().contains(SearchParameterReadiness.RESOURCE);
						if (applies && row.code().equals(sp.getName())) {
							String note = SearchParameterReadinessStore.FAILED.equals(row.status()) ? FAILED_NOTE : PENDING_NOTE;
							String doc = sp.getDocumentation();
							if (doc == null || !doc.endsWith(note)) {
								sp.setDocumentation((doc == null ? "" : doc) + note);
							}
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
