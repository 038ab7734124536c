package io.hapireindex.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Grants a request that carries one named permission, found in one of the configured sources:
 *
 * <ul>
 *   <li>{@code role}: the servlet container's {@link HttpServletRequest#isUserInRole}. That is where Spring Security
 *       (its request wrapper asks the Authentication's authorities, adding {@code ROLE_} unless the name has it),
 *       Tomcat/Jetty realms and most servlet filters put an authenticated caller's roles, e.g.
 *       {@code ROLE_FHIR_CLIENT_SUPERUSER} as Smile CDR names it.</li>
 *   <li>{@code jwt-scope}: the {@code scope} (space-separated) or {@code scp} (array or string) claim of the
 *       request's {@code Authorization: Bearer} JWT, e.g. a SMART scope {@code system/*.write} or Kodjin's
 *       {@code system/kodjin/$reindex}. The token is decoded, not verified: the module has no keys and must not
 *       pretend to be an authorization server. This source is only safe when the host (a gateway, a servlet
 *       filter, or an interceptor that runs first) has already rejected any request whose token is not valid;
 *       an expired token ({@code exp}) is refused here all the same.</li>
 * </ul>
 *
 * <p>Why these two and nothing more: they are where HAPI hosts already keep authenticated identities, so the module
 * reads them instead of inventing its own credential. A permission in a plain header is not offered, since any
 * caller could set it. The match is exact (no SMART wildcard expansion), so the configured value is the one thing a
 * token must contain, with no surprise grants.
 */
public final class RequiredPermission implements ReindexPermission {

	public static final String SOURCE_ROLE = "role";
	public static final String SOURCE_JWT_SCOPE = "jwt-scope";
	public static final Set<String> SOURCES = Set.of(SOURCE_ROLE, SOURCE_JWT_SCOPE);

	private static final ObjectMapper JSON = new ObjectMapper();

	private final String permission;
	private final boolean fromRole;
	private final boolean fromJwtScope;

	/** @param permission the required permission; null or blank means every request is granted (check off) */
	public RequiredPermission(String permission, List<String> sources) {
		this.permission = permission == null || permission.isBlank() ? null : permission.trim();
		this.fromRole = sources.contains(SOURCE_ROLE);
		this.fromJwtScope = sources.contains(SOURCE_JWT_SCOPE);
	}

	public boolean isEnabled() {
		return permission != null;
	}

	@Override
	public boolean isGranted(RequestDetails request) {
		if (permission == null) {
			return true;
		}
		if (fromRole && request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null
				&& servlet.getServletRequest().isUserInRole(permission)) {
			return true;
		}
		return fromJwtScope && bearerScopes(request.getHeader("Authorization")).contains(permission);
	}

	@Override
	public String describe() {
		return "the permission '" + permission + "' (" + (fromRole ? "as a role" : "")
				+ (fromRole && fromJwtScope ? " or " : "") + (fromJwtScope ? "as a scope of the bearer token" : "") + ")";
	}

	/** The scopes of a bearer JWT; empty for anything that is not a readable, unexpired JWT. */
	static Set<String> bearerScopes(String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return Set.of();
		}
		String[] parts = authorization.substring(7).trim().split("\\.", -1);
		if (parts.length != 3) {
			return Set.of();
		}
		try {
			JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
			if (claims == null || !claims.isObject()) {
				return Set.of();
			}
			JsonNode exp = claims.get("exp");
			if (exp != null && (!exp.canConvertToLong() || exp.asLong() * 1000 < System.currentTimeMillis())) {
				return Set.of();
			}
			java.util.HashSet<String> scopes = new java.util.HashSet<>();
			for (String name : List.of("scope", "scp")) {
				JsonNode value = claims.get(name);
				if (value == null) {
					continue;
				}
				if (value.isArray()) {
					value.forEach(v -> scopes.add(v.asText()));
				} else if (value.isTextual()) {
					scopes.addAll(Arrays.asList(value.asText().trim().split("\\s+")));
				}
			}
			return scopes;
		} catch (IllegalArgumentException | java.io.IOException e) {
			return Set.of();
		}
	}
}
