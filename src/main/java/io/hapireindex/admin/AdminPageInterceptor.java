package io.hapireindex.admin;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.coordinator.JobDefinitionRegistry;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.operation.ErrorOutcome;
import io.hapireindex.operation.InvalidStartParameterException;
import io.hapireindex.operation.StartRequestParser;
import io.hapireindex.status.JobProgressStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operators' job admin page at {@code [base]/{path}/} and its JSON API at {@code [base]/{path}/api/...}.
 *
 * <p>Why inside the FHIR servlet (a RestfulServer hook, like the job API) and not a servlet of its own: it then
 * exists wherever the host maps HAPI, in the official starter (whose tester overlay turns off static serving) as in
 * any other host, with no host edit, and the host's own authorization interceptors guard the API exactly as they
 * guard {@code $reindex}. The static files (HTML, CSS, JS, no job data) are served to anyone so a browser can load
 * the page and then send the operator's token with every API call.
 */
@Interceptor
public class AdminPageInterceptor {

	private static final Logger LOG = LoggerFactory.getLogger(AdminPageInterceptor.class);
	private static final ObjectMapper JSON = new ObjectMapper();
	private static final int MAX_BODY = 1 << 20;
	private static final int MAX_PAGE_SIZE = 200;
	private static final Set<String> STATES =
			Set.of("QUEUED", "IN_PROGRESS", "FINALIZE", "ERRORED", "COMPLETED", "FAILED", "CANCELLED");
	private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9\\-]{1,100}");
	private static final Map<String, String> STATIC = Map.of(
			"index.html", "text/html;charset=utf-8",
			"app.js", "text/javascript;charset=utf-8",
			"app.css", "text/css;charset=utf-8");
	/** Scripts and styles only from this page; no inline script, no framing, no form posts elsewhere. */
	private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
			+ " connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

	private final String segment;
	/** Only a partitioned server has a tenant segment before the page path ({@code [base]/{tenant}/{path}/}). */
	private final boolean tenantSegments;
	private final Pattern path;
	private final AdminJobView view;
	private final AdminActions actions;
	private final AdminRequestGuard guard = new AdminRequestGuard();
	private final Map<String, byte[]> files = new LinkedHashMap<>();
	private volatile RestfulServer server;

	/** The page and API over the module's services and HAPI's batch2 job store. */
	public static AdminPageInterceptor create(
			String pagePath,
			boolean tenantSegments,
			IJobCoordinator coordinator,
			JobDefinitionRegistry definitions,
			JobProgressStore progress,
			StartRequestParser parser,
			ReindexJobService jobs,
			IRequestPartitionHelperSvc partitionHelper) {
		AdminJobView view = new AdminJobView(coordinator, definitions, progress);
		return new AdminPageInterceptor(
				pagePath, tenantSegments, view, new AdminActions(parser, jobs, coordinator, partitionHelper, view));
	}

	AdminPageInterceptor(String pagePath, boolean tenantSegments, AdminJobView view, AdminActions actions) {
		this.segment = pagePath;
		this.tenantSegments = tenantSegments;
		this.path = Pattern.compile("^(?:/([^/]+))?/" + Pattern.quote(pagePath) + "(/.*)?$");
		this.view = view;
		this.actions = actions;
		for (String name : STATIC.keySet()) {
			try (InputStream in = AdminPageInterceptor.class.getResourceAsStream("static/" + name)) {
				if (in == null) {
					throw new IllegalStateException("admin page file " + name + " missing from the module jar");
				}
				files.put(name, in.readAllBytes());
			} catch (IOException e) {
				throw new IllegalStateException("cannot read admin page file " + name, e);
			}
		}
	}

	/** The server whose authorization interceptors guard the admin API. */
	public void attach(RestfulServer server) {
		this.server = server;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String pathInfo = request.getPathInfo();
		RestfulServer target = server;
		if (pathInfo == null || target == null) {
			return true;
		}
		Matcher m = path.matcher(pathInfo);
		if (!m.matches() || (m.group(1) != null && !tenantSegments)) {
			return true;
		}
		String tenant = m.group(1);
		String rest = m.group(2) == null ? "" : m.group(2);
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("Referrer-Policy", "same-origin");
		if (rest.isEmpty()) {
			response.setStatus(302);
			response.setHeader("Location", request.getRequestURI() + "/");
			return false;
		}
		if (!rest.startsWith("/api/")) {
			serveStatic(request, response, rest.equals("/") ? "index.html" : rest.substring(1));
			return false;
		}
		try {
			response.setHeader("Cache-Control", "no-store");
			if (!request.getMethod().equals("GET")) {
				guard.checkSameOrigin(request);
			}
			ServletRequestDetails details = guard.authorize(target, request, response, tenant);
			api(request, response, rest.substring("/api".length()), details);
		} catch (BaseServerResponseException e) {
			if (e.getStatusCode() >= 500) {
				LOG.warn("Admin API {} {} failed", request.getMethod(), pathInfo, e);
			}
			writeJson(response, e.getStatusCode(), ErrorOutcome.of(e).toJson());
		} catch (RuntimeException e) {
			LOG.error("Admin API {} {} failed", request.getMethod(), pathInfo, e);
			writeJson(response, 500, ErrorOutcome.internal(e).toJson());
		}
		return false;
	}

	private void api(HttpServletRequest request, HttpServletResponse response, String route, ServletRequestDetails details)
			throws IOException {
		String method = request.getMethod();
		String[] parts = route.substring(1).split("/", -1);
		if (route.equals("/jobs") && method.equals("GET")) {
			writeJson(response, 200, view.list(
					enumParam(request, "state", STATES),
					blankToNull(request.getParameter("type")),
					intParam(request, "page", 0, 0, 1_000_000),
					intParam(request, "size", 25, 1, MAX_PAGE_SIZE)));
		} else if (route.equals("/jobs") && method.equals("POST")) {
			writeJson(response, 201, actions.start(readForm(request), details));
		} else if (route.equals("/job-types") && method.equals("GET")) {
			writeJson(response, 200, Map.of("types", view.jobTypes(), "pagePath", segment));
		} else if (parts.length >= 2 && parts[0].equals("jobs") && JOB_ID.matcher(parts[1]).matches()) {
			String jobId = parts[1];
			String action = parts.length == 3 ? parts[2] : parts.length == 2 ? "" : null;
			if (action == null) {
				throw new ResourceNotFoundException("No admin API path " + route);
			}
			switch (method + " " + action) {
				case "GET " -> writeJson(response, 200, view.detail(jobId));
				case "GET errors.csv" -> writeErrors(response, jobId, true);
				case "GET errors.ndjson" -> writeErrors(response, jobId, false);
				case "POST $cancel" -> writeJson(response, 202, actions.cancel(jobId));
				case "POST $restart" -> writeJson(response, 201, actions.restart(jobId, details));
				case "POST $retry-failed" -> writeJson(response, 201, actions.retryFailed(jobId, details));
				default -> throw new MethodNotAllowedException(method + " is not allowed on " + route
						+ " (GET reads a job or its errors.csv / errors.ndjson; POST $cancel, $restart, $retry-failed)");
			}
		} else if (route.equals("/jobs") || route.equals("/job-types")) {
			throw new MethodNotAllowedException(method + " is not allowed on " + route);
		} else {
			throw new ResourceNotFoundException("No admin API path " + route);
		}
	}

	private void serveStatic(HttpServletRequest request, HttpServletResponse response, String name) throws IOException {
		byte[] body = files.get(name);
		if (body == null || !(request.getMethod().equals("GET") || request.getMethod().equals("HEAD"))) {
			response.setStatus(body == null ? 404 : 405);
			response.setContentType("text/plain;charset=utf-8");
			response.getOutputStream().write((body == null ? "Not found" : "Method not allowed").getBytes(StandardCharsets.UTF_8));
			return;
		}
		response.setStatus(200);
		response.setContentType(STATIC.get(name));
		response.setHeader("Content-Security-Policy", CSP);
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("Cache-Control", "no-cache");
		response.setContentLength(body.length);
		if (request.getMethod().equals("GET")) {
			response.getOutputStream().write(body);
		}
	}

	/** Failed resources of a job, all of them: CSV for spreadsheets, NDJSON for scripts. */
	private void writeErrors(HttpServletResponse response, String jobId, boolean csv) throws IOException {
		List<JobProgressStore.JobError> errors = view.allErrors(jobId);
		response.setStatus(200);
		response.setContentType(csv ? "text/csv;charset=utf-8" : "application/x-ndjson;charset=utf-8");
		response.setHeader("Content-Disposition",
				"attachment; filename=\"job-" + jobId + "-failed-resources." + (csv ? "csv" : "ndjson") + "\"");
		OutputStream out = response.getOutputStream();
		if (csv) {
			out.write("resource,message,time\r\n".getBytes(StandardCharsets.UTF_8));
		}
		for (JobProgressStore.JobError e : errors) {
			String line = csv
					? csvCell(e.resource()) + "," + csvCell(e.message()) + "," + csvCell(AdminJobView.iso(e.time())) + "\r\n"
					: JSON.writeValueAsString(AdminJobView.errorRow(e)) + "\n";
			out.write(line.getBytes(StandardCharsets.UTF_8));
		}
		out.flush();
	}

	/** Quoted, and a leading = + - @ defused so a spreadsheet never runs a message as a formula. */
	static String csvCell(String value) {
		if (value == null) {
			return "";
		}
		String v = value;
		if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
			v = "'" + v;
		}
		return "\"" + v.replace("\"", "\"\"") + "\"";
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
			Map<String, Object> form = JSON.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() {});
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

	private static void writeJson(HttpServletResponse response, int status, Object body) throws IOException {
		byte[] bytes = JSON.writeValueAsBytes(body);
		response.setStatus(status);
		response.setContentType("application/json;charset=utf-8");
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
		response.getOutputStream().flush();
	}
}
