package io.hapireindex.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;

/**
 * The module's own permission check, on top of whatever authorization the host has: a caller that fails it gets
 * 403 from every operation, the job API and the admin API, before anything starts.
 *
 * <p>The module's default is {@link RequiredPermission} (configured by {@code hapi-fhir-reindex.required-permission}
 * and {@code hapi-fhir-reindex.permission-sources}). A host whose callers carry their rights somewhere else defines
 * its own bean of this type, and the module uses that one instead.
 */
public interface ReindexPermission {

	/** Whether this request may use the module's operations. Must not throw for a request it refuses. */
	boolean isGranted(RequestDetails request);

	/** What a refused caller lacks, for the 403's diagnostics (never a secret). */
	String describe();
}
