package io.hapireindex.admin;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.coordinator.JobDefinitionRegistry;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.operation.StartRequestParser;
import io.hapireindex.status.JobProgressStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
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
 *
 * <p>This class only finds the page's requests and hands them on: {@link AdminStaticFiles} serves the page,
 * {@link AdminApiRouter} the API (after {@link AdminRequestGuard} let the request through), {@link AdminJson} maps
 * errors.
 */
@Interceptor
public class AdminPageInterceptor {

	/** Only a partitioned server has a tenant segment before the page path ({@code [base]/{tenant}/{path}/}). */
	private final boolean tenantSegments;
	private final Pattern path;
	private final AdminStaticFiles files;
	private final AdminApiRouter router;
	private final AdminRequestGuard guard = new AdminRequestGuard();
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
		AdminActions actions = new AdminActions(parser, jobs, coordinator, partitionHelper, view);
		return new AdminPageInterceptor(
				pagePath, tenantSegments, AdminStaticFiles.fromJar(), new AdminApiRouter(pagePath, view, actions));
	}

	AdminPageInterceptor(String pagePath, boolean tenantSegments, AdminStaticFiles files, AdminApiRouter router) {
		this.tenantSegments = tenantSegments;
		this.path = Pattern.compile("^(?:/([^/]+))?/" + Pattern.quote(pagePath) + "(/.*)?$");
		this.files = files;
		this.router = router;
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
			files.serve(request, response, rest.equals("/") ? "index.html" : rest.substring(1));
			return false;
		}
		try {
			response.setHeader("Cache-Control", "no-store");
			if (!request.getMethod().equals("GET")) {
				guard.checkSameOrigin(request);
			}
			ServletRequestDetails details = guard.authorize(target, request, response, tenant);
			router.route(request, response, rest.substring("/api".length()), details);
		} catch (RuntimeException e) {
			AdminJson.writeError(request, response, e);
		}
		return false;
	}
}
