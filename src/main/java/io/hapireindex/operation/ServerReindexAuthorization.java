package io.hapireindex.operation;

import ca.uhn.fhir.interceptor.api.HookParams;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The module's own HTTP paths (job API, admin page API) never reach HAPI's handler, which is where a host's
 * authorization (e.g. HAPI's AuthorizationInterceptor, or the module's permission check) would run. So they run
 * it themselves, as for a server-level {@code $reindex}: whoever may not start a reindex job may not see, cancel
 * or restart one either.
 */
public final class ServerReindexAuthorization {

	private ServerReindexAuthorization() {}

	/**
	 * Calls the server's {@code SERVER_INCOMING_REQUEST_PRE_HANDLED} hooks (they throw to refuse).
	 *
	 * @param tenant the request's tenant under URL partitioning, or null
	 * @return the request as HAPI sees it, to start jobs with (partition, user data)
	 */
	public static ServletRequestDetails authorize(
			RestfulServer server, HttpServletRequest request, HttpServletResponse response, String tenant) {
		ServletRequestDetails details = new ServletRequestDetails(server.getInterceptorService());
		details.setServer(server);
		details.setServletRequest(request);
		details.setServletResponse(response);
		details.setRequestType(RequestTypeEnum.valueOf(request.getMethod()));
		details.setOperation(OperationNames.REINDEX);
		details.setRestOperationType(RestOperationTypeEnum.EXTENDED_OPERATION_SERVER);
		details.setFhirServerBase(server.getServerBaseForRequest(details));
		if (tenant != null) {
			details.setTenantId(tenant);
		}
		HookParams params = new HookParams()
				.add(RequestDetails.class, details)
				.add(ServletRequestDetails.class, details)
				.add(RestOperationTypeEnum.class, RestOperationTypeEnum.EXTENDED_OPERATION_SERVER);
		server.getInterceptorService().callHooks(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, params);
		return details;
	}
}
