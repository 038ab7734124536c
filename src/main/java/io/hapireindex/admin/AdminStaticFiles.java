package io.hapireindex.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin page's HTML, CSS and JS, read from the module jar once. They hold no job data, so they are served to
 * anyone: the browser loads the page, then sends the operator's token with every API call.
 */
final class AdminStaticFiles {

	private static final Map<String, String> TYPES = Map.of(
			"index.html", "text/html;charset=utf-8",
			"app.js", "text/javascript;charset=utf-8",
			"app.css", "text/css;charset=utf-8");
	/** Scripts and styles only from this page; no inline script, no framing, no form posts elsewhere. */
	private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
			+ " connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

	private final Map<String, byte[]> files;

	private AdminStaticFiles(Map<String, byte[]> files) {
		this.files = files;
	}

	/** The files of the module jar; a missing one is a broken build, reported when the page is created. */
	static AdminStaticFiles fromJar() {
		Map<String, byte[]> files = new LinkedHashMap<>();
		for (String name : TYPES.keySet()) {
			try (InputStream in = AdminStaticFiles.class.getResourceAsStream("static/" + name)) {
				if (in == null) {
					throw new IllegalStateException("admin page file " + name + " missing from the module jar");
				}
				files.put(name, in.readAllBytes());
			} catch (IOException e) {
				throw new IllegalStateException("cannot read admin page file " + name, e);
			}
		}
		return new AdminStaticFiles(files);
	}

	void serve(HttpServletRequest request, HttpServletResponse response, String name) throws IOException {
		byte[] body = files.get(name);
		if (body == null || !(request.getMethod().equals("GET") || request.getMethod().equals("HEAD"))) {
			response.setStatus(body == null ? 404 : 405);
			response.setContentType("text/plain;charset=utf-8");
			response.getOutputStream().write((body == null ? "Not found" : "Method not allowed").getBytes(StandardCharsets.UTF_8));
			return;
		}
		response.setStatus(200);
		response.setContentType(TYPES.get(name));
		response.setHeader("Content-Security-Policy", CSP);
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("Cache-Control", "no-cache");
		response.setContentLength(body.length);
		if (request.getMethod().equals("GET")) {
			response.getOutputStream().write(body);
		}
	}
}
