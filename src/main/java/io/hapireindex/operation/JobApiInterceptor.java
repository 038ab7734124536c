package io.hapireindex.operation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import io.hapireindex.job.ReindexJobService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import ca.uhn.fhir.util.BundleBuilder;
import io.hapireindex.status.JobStatus;
import io.hapireindex.status.JobStatusParameters;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job API at {@code [base]/_operations/reindex} (Azure's paths): {@code GET} lists jobs, {@code GET .../{id}}
 * reads one, {@code DELETE .../{id}} cancels it, {@code POST .../{id}/$restart} starts a job for what it left undone.
 *
 * <p>Why a hook instead of a provider: {@code _operations} is not a resource type, so HAPI would answer 404
 * before any provider saw the request. The hook runs on the host's own RestfulServer, so the paths exist
 * wherever the FHIR servlet is mapped, with no servlet or controller added to the host.
 */
@Interceptor
public class JobApiInterceptor {

	/** Optional tenant segment, then {@code _operations/reindex[/{id}]}. */
	private static final Pattern PATH =
			Pattern.compile("^(?:/[^/]+)?/_operations/reindex(?:/([A-Za-z0-9\\-]+)(/\\$restart)?)?/?$");
	private static final Pattern ANY_JOB_PATH = Pattern.compile("^(?:/[^/]+)?/_operations/reindex(?:/.*)?$");
	private static final int DEFAULT_COUNT = 50;
	private static final int MAX_COUNT = 1000;

	private final ReindexJobService jobs;
	private volatile RestfulServer server;

	public JobApiInterceptor(ReindexJobService jobs) {
		this.jobs = jobs;
	}

	/** The server whose authorization interceptors guard the job API. */
	public void attach(RestfulServer server) {
		this.server = server;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String path = request.getPathInfo();
		RestfulServer target = server;
		if (path == null || target == null || !ANY_JOB_PATH.matcher(path).matches()) {
			return true;
		}
		// the answers are in the host's FHIR version, whichever it is
		FhirContext ctx = target.getFhirContext();
		try {
			Matcher m = PATH.matcher(path);
			if (!m.matches()) {
				throw new InvalidRequestException("Malformed job path '" + path + "': expected "
						+ JobApiPaths.COLLECTION + " or " + JobApiPaths.COLLECTION + "/{id}");
			}
			String jobId = m.group(1);
			boolean restart = m.group(2) != null;
			String method = request.getMethod();
			authorize(target, request, response, path);
			if (restart && method.equals("POST")) {
				ReindexJobService.Started started = jobs.restart(jobId, new SystemRequestDetails());
				String base = request.getRequestURL().toString();
				base = base.substring(0, base.indexOf("/" + JobApiPaths.COLLECTION));
				response.setHeader(Constants.HEADER_CONTENT_LOCATION, JobApiPaths.jobUrl(base, started.jobId()));
				write(request, response, 201, JobStatusParameters.render(ctx, jobs.status(started.jobId())));
			} else if (restart) {
				throw new MethodNotAllowedException(method + " is not allowed on " + path + " (POST restarts the job)");
			} else if (jobId == null && method.equals("GET")) {
				write(request, response, 200, list(ctx, request));
			} else if (jobId != null && method.equals("GET")) {
				write(request, response, 200, JobStatusParameters.render(ctx, jobs.status(jobId)));
			} else if (jobId != null && method.equals("DELETE")) {
				write(request, response, 202, JobStatusParameters.render(ctx, jobs.cancel(jobId)));
			} else {
				throw new MethodNotAllowedException(method + " is not allowed on " + path
						+ " (GET lists or reads jobs, DELETE cancels one)");
			}
		} catch (BaseServerResponseException e) {
			IBaseResource outcome = ErrorOutcome.of(e).toResource(ctx);
			write(request, response, e.getStatusCode(), outcome);
		}
		return false;
	}

	/** The host's authorization, as for a server-level {@code $reindex} (see {@link ServerReindexAuthorization}). */
	private static void authorize(RestfulServer target, HttpServletRequest request, HttpServletResponse response, String path) {
		String first = path.substring(1, path.indexOf('/', 1) < 0 ? path.length() : path.indexOf('/', 1));
		ServerReindexAuthorization.authorize(target, request, response, first.equals("_operations") ? null : first);
	}

	private IBaseBundle list(FhirContext ctx, HttpServletRequest request) {
		String status = request.getParameter("status");
		int count = DEFAULT_COUNT;
		String countParam = request.getParameter(Constants.PARAM_COUNT);
		if (countParam != null) {
			try {
				count = Integer.parseInt(countParam);
			} catch (NumberFormatException e) {
				count = -1;
			}
			if (count < 1 || count > MAX_COUNT) {
				throw new InvalidRequestException("Parameter '_count': '" + countParam + "' must be 1.." + MAX_COUNT);
			}
		}
		if (status != null && !status.matches("(?i)Queued|Running|Completed|Failed|Canceled")) {
			throw new InvalidRequestException(
					"Parameter 'status': '" + status + "' is not one of Queued, Running, Completed, Failed, Canceled");
		}
		BundleBuilder bundle = new BundleBuilder(ctx);
		bundle.setType("collection");
		for (JobStatus job : jobs.list(status, count)) {
			IBase entry = bundle.addEntry();
			bundle.addToEntry(entry, "resource", JobStatusParameters.render(ctx, job));
		}
		return bundle.getBundle();
	}

	private static void write(HttpServletRequest request, HttpServletResponse response, int status, IBaseResource body)
			throws IOException {
		boolean xml = wantsXml(request);
		FhirContext ctx = body.getStructureFhirVersionEnum().newContextCached();
		IParser parser = (xml ? ctx.newXmlParser() : ctx.newJsonParser()).setPrettyPrint(true);
		byte[] bytes = parser.encodeResourceToString(body).getBytes(StandardCharsets.UTF_8);
		response.setStatus(status);
		response.setContentType((xml ? Constants.CT_FHIR_XML_NEW : Constants.CT_FHIR_JSON_NEW) + ";charset=utf-8");
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
		response.getOutputStream().flush();
	}

	private static boolean wantsXml(HttpServletRequest request) {
		String format = request.getParameter(Constants.PARAM_FORMAT);
		if (format != null) {
			return format.contains("xml");
		}
		String accept = request.getHeader(Constants.HEADER_ACCEPT);
		return accept != null && accept.contains("xml") && !accept.contains("json");
	}
}
