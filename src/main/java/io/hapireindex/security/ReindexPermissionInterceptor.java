package io.hapireindex.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import io.hapireindex.operation.OperationNames;

import java.util.Set;

/**
 * Applies {@link ReindexPermission} to every entry point of the module.
 *
 * <p>Why one hook at {@code SERVER_INCOMING_REQUEST_PRE_HANDLED}: HAPI calls it for the operations after it has
 * resolved the method and before it reads the body or calls the provider, and the job API and the admin API call
 * the same pointcut themselves (as a server-level {@code $reindex}) before they act. So one check covers the
 * server, type and instance {@code $reindex}, {@code $reindex-dryrun}, {@code $terminology-reindex}, the job API
 * and the admin API, and answers 403 before any job starts or any parameter is parsed.
 *
 * <p>{@code SearchParameter/$status} is not guarded on purpose: it is read-only, says no more than a search of
 * SearchParameter resources does, and every client that searches needs it to know whether results are complete.
 */
@Interceptor
public class ReindexPermissionInterceptor {

	private static final Set<String> GUARDED =
			Set.of(OperationNames.REINDEX, OperationNames.REINDEX_DRYRUN, OperationNames.TERMINOLOGY_REINDEX);

	private final ReindexPermission permission;

	public ReindexPermissionInterceptor(ReindexPermission permission) {
		this.permission = permission;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void check(RequestDetails request) {
		String operation = request.getOperation();
		if (operation != null && GUARDED.contains(operation) && !permission.isGranted(request)) {
			throw new ForbiddenOperationException(
					"Access denied by hapi-fhir-reindex: " + operation + " requires " + permission.describe());
		}
	}
}
