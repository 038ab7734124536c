package io.hapireindex.admin;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import com.fasterxml.jackson.core.type.TypeReference;
import io.hapireindex.operation.InvalidStartParameterException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The admin API's routes ({@code /jobs}, {@code /job-types}, {@code /jobs/{id}[/action]}): reads the query and the
 * start form, calls the view or the actions, and writes their JSON. An unknown route or method is an exception the
 * caller maps like any other error.
 */
record AdminApiRouter(String pagePath, AdminJobView view, AdminActions actions) {

	private static final int MAX_BODY = 1 << 20;
	private static final int MAX_PAGE_SIZE = 200;
	private static final Set<String> STATES =
			Set.of("QUEUED", "IN_PROGRESS", "FINALIZE", "ERRORED", "COMPLETED", "FAILED", "CANCELLED");
	private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9\\-]{1,100}");

	/** @param route the path after {@code /api}, starting with a slash */
	void route(HttpServletRequest request, HttpServletResponse response, String route, ServletRequestDetails details)
			throws IOException {
		String method = request.getMethod();
		String[] parts = route.substring(1).split("/", -1);
		if (route.equals("/jobs") && method.equals("GET")) {
			AdminJson.write(response, 200, view.list(
					enumParam(request, "state", STATES),
					blankToNull(request.getParameter("type")),
					intParam(request, "page", 0, 0, 1_000_000),
					intParam(request, "size", 25, 1, MAX_PAGE_SIZE)));
		} else if (route.equals("/jobs") && method.equals("POST")) {
			AdminJson.write(response, 201, actions.start(readForm(request), details));
		} else if (route.equals("/job-types") && method.equals("GET")) {
			AdminJson.write(response, 200, Map.of("types", view.jobTypes(), "pagePath", pagePath));
		} else if (parts.length >= 2 && parts[0].equals("jobs") && JOB_ID.matcher(parts[1]).matches()) {
			String jobId = parts[1];
			String action = parts.length == 3 ? parts[2] : parts.length == 2 ? "" : null;
			if (action == null) {
				throw new ResourceNotFoundException("No admin API path " + route);
			}
			switch (method + " " + action) {
				case "GET " -> AdminJson.write(response, 200, view.detail(jobId));
				case "GET errors.csv" -> AdminErrorExport.write(response, jobId, view.allErrors(jobId), true);
				case "GET errors.ndjson" -> AdminErrorExport.write(response, jobId, view.allErrors(jobId), false);
				case "POST $cancel" -> AdminJson.write(response, 202, actions.cancel(jobId));
				case "POST $restart" -> AdminJson.write(response, 201, actions.restart(jobId, details));
				case "POST $retry-failed" -> AdminJson.write(response, 201, actions.retryFailed(jobId, details));
				default -> throw new MethodNotAllowedException(method + " is not allowed on " + route
						+ " (GET reads a job or its errors.csv / errors.ndjson; POST $cancel, $restart, $retry-failed)");
			}
		} else if (route.equals("/jobs") || route.equals("/job-types")) {
			throw new MethodNotAllowedException(method + " is not allowed on " + route);
		} else {
			throw new ResourceNotFoundException("No admin API path " + route);
		}
	}

	private static Map<String, Object> readForm(HttpServletRequest request) throws IOException {
		String type = request.getContentType();
		if (type == null || !type.toLowerCase().startsWith("application/json")) {
			throw new InvalidRequestException("The start form must be sent as application/json");
		}
		byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
		if (body.length > MAX_BODY) {
			throw new InvalidRequestException("The start form is larger than " + MAX_BODY + " bytes");
		}
		if (body.length == 0) {
			return Map.of();
		}
		try {
			Map<String, Object> form =
					AdminJson.MAPPER.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() {});
			return form == null ? Map.of() : form;
		} catch (IOException e) {
			throw new InvalidRequestException("The start form is not a JSON object of start parameters");
		}
	}

	private static String enumParam(HttpServletRequest request, String name, Set<String> allowed) {
		String value = blankToNull(request.getParameter(name));
		if (value != null && !allowed.contains(value)) {
			throw new InvalidStartParameterException(name, "'" + value + "' is not one of " + allowed);
		}
		return value;
	}

	private static int intParam(HttpServletRequest request, String name, int dflt, int min, int max) {
		String value = blankToNull(request.getParameter(name));
		if (value == null) {
			return dflt;
		}
		try {
			int v = Integer.parseInt(value);
			if (v >= min && v <= max) {
				return v;
			}
		} catch (NumberFormatException e) {
			// reported below
		}
		throw new InvalidStartParameterException(name, "'" + value + "' must be " + min + ".." + max);
	}

	private static String blankToNull(String s) {
		return s == null || s.isBlank() ? null : s.trim();
	}
}
