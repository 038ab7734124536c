package io.hapireindex.admin;

import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import io.hapireindex.operation.ServerReindexAuthorization;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.net.URI;
import java.util.Locale;

/**
 * The two checks every admin API call passes before it does anything: cross-site request forgery protection for
 * state-changing calls, and the host's own authorization.
 */
class AdminRequestGuard {

	/** A header a cross-site form or image cannot send; a cross-site script can only after a CORS preflight. */
	static final String CSRF_HEADER = "X-HFR-Request";

	/**
	 * A state-changing call must carry {@link #CSRF_HEADER}, and when the browser names the page it came from
	 * (Origin, else Referer) that page must be on this host. Scripts and curl send neither and pass with the header.
	 */
	void checkSameOrigin(HttpServletRequest request) {
		if (!"1".equals(request.getHeader(CSRF_HEADER))) {
			throw new ForbiddenOperationException("Cross-site request refused: a " + request.getMethod()
					+ " to the admin API must carry the header " + CSRF_HEADER + ": 1");
		}
		String origin = request.getHeader("Origin");
		String referer = request.getHeader("Referer");
		String from = origin != null ? origin : referer;
		if (from == null) {
			return;
		}
		String expected = normalise(request.getScheme(), firstOf(request.getHeader("X-Forwarded-Host"), request.getHeader("Host")));
		String actual = authority(from);
		if (expected == null || !expected.equals(actual)) {
			throw new ForbiddenOperationException("Cross-site request refused: " + (origin != null ? "Origin" : "Referer")
					+ " '" + from + "' is not this server (" + expected + ")");
		}
	}

	/**
	 * The host's authorization as for a server-level {@code $reindex}, exactly as the job API runs it.
	 *
	 * @return the request as HAPI sees it, to start jobs with (partition, user data)
	 */
	ServletRequestDetails authorize(
			RestfulServer server, HttpServletRequest request, HttpServletResponse response, String tenant) {
		return ServerReindexAuthorization.authorize(server, request, response, tenant);
	}

	private static String firstOf(String forwarded, String host) {
		if (forwarded != null && !forwarded.isBlank()) {
			return forwarded.split(",")[0].trim();
		}
		return host;
	}

	private static String authority(String url) {
		try {
			URI uri = URI.create(url.trim());
			if (uri.getScheme() == null || uri.getHost() == null) {
				return null;
			}
			return normalise(uri.getScheme(), uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
		} catch (IllegalArgumentException e) {
			return null;
		}
	}

	/** host[:port] in lower case, without the scheme's default port. */
	private static String normalise(String scheme, String hostPort) {
		if (hostPort == null || hostPort.isBlank()) {
			return null;
		}
		String value = hostPort.trim().toLowerCase(Locale.ROOT);
		if (("http".equalsIgnoreCase(scheme) && value.endsWith(":80"))
				|| ("https".equalsIgnoreCase(scheme) && value.endsWith(":443"))) {
			value = value.substring(0, value.lastIndexOf(':'));
		}
		return value;
	}
}
