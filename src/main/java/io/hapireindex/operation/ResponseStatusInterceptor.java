package io.hapireindex.operation;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;

/**
 * Lets an operation answer with a status other than 200 (the contract's 201 Created / 202 Accepted) while
 * still returning its resource the normal way, so HAPI's content negotiation and interceptors apply.
 */
@Interceptor
public class ResponseStatusInterceptor {

	static final String STATUS_KEY = ResponseStatusInterceptor.class.getName() + ".status";

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean setStatus(RequestDetails request, ResponseDetails response) {
		Object status = request.getUserData().get(STATUS_KEY);
		if (status instanceof Integer code) {
			response.setResponseCode(code);
		}
		return true;
	}
}
