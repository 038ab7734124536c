package io.hapireindex.admin;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hapireindex.operation.ErrorOutcome;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * JSON answers of the admin API, and its error mapping: an error the API raises on purpose (4xx) keeps its status and
 * names its parameter ({@link ErrorOutcome}, as the job API does in FHIR form); anything else is a 500 that is logged.
 */
final class AdminJson {

	private static final Logger LOG = LoggerFactory.getLogger(AdminJson.class);
	static final ObjectMapper MAPPER = new ObjectMapper();

	private AdminJson() {}

	static void write(HttpServletResponse response, int status, Object body) throws IOException {
		byte[] bytes = MAPPER.writeValueAsBytes(body);
		response.setStatus(status);
		response.setContentType("application/json;charset=utf-8");
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
		response.getOutputStream().flush();
	}

	static void writeError(HttpServletRequest request, HttpServletResponse response, RuntimeException failure)
			throws IOException {
		if (failure instanceof BaseServerResponseException e) {
			if (e.getStatusCode() >= 500) {
				LOG.warn("Admin API {} {} failed", request.getMethod(), request.getPathInfo(), e);
			}
			write(response, e.getStatusCode(), ErrorOutcome.of(e).toJson());
		} else {
			LOG.error("Admin API {} {} failed", request.getMethod(), request.getPathInfo(), failure);
			write(response, 500, ErrorOutcome.internal(failure).toJson());
		}
	}
}
