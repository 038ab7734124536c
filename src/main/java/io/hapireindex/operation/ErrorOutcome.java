package io.hapireindex.operation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.util.OperationOutcomeUtil;
import io.hapireindex.job.InvalidJobParametersException;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one mapping from an error to an OperationOutcome issue, for the module's own HTTP answers outside HAPI's
 * providers (the job API renders it as a FHIR resource, the admin API as plain JSON).
 *
 * @param parameter the request parameter the error is about, or null
 */
public record ErrorOutcome(int status, String code, String message, String parameter) {

	public static ErrorOutcome of(BaseServerResponseException e) {
		int status = e.getStatusCode();
		String code = switch (status) {
			case 401 -> "login";
			case 403 -> "forbidden";
			case 404 -> "not-found";
			case 409 -> "conflict";
			default -> status >= 500 ? "exception" : "invalid";
		};
		String parameter = e instanceof InvalidJobParametersException named ? named.parameter() : null;
		return new ErrorOutcome(status, code, e.getMessage(), parameter);
	}

	/** An unexpected failure: the message names only the exception's type, never its details. */
	public static ErrorOutcome internal(RuntimeException e) {
		return new ErrorOutcome(500, "exception", "Internal error: " + e.getClass().getSimpleName(), null);
	}

	/** As plain JSON; {@code expression} names the parameter a 400 is about. */
	public Map<String, Object> toJson() {
		Map<String, Object> issue = new LinkedHashMap<>();
		issue.put("severity", "error");
		issue.put("code", code);
		issue.put("diagnostics", message);
		if (parameter != null) {
			issue.put("expression", List.of(parameter));
		}
		Map<String, Object> outcome = new LinkedHashMap<>();
		outcome.put("resourceType", "OperationOutcome");
		outcome.put("issue", List.of(issue));
		return outcome;
	}

	/** As an OperationOutcome of the server's FHIR version. */
	public IBaseOperationOutcome toResource(FhirContext ctx) {
		IBaseOperationOutcome outcome = OperationOutcomeUtil.newInstance(ctx);
		OperationOutcomeUtil.addIssue(ctx, outcome, "error", message, null, code);
		return outcome;
	}
}
