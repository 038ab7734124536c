package io.hapireindex.operation;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * A 400 about one request parameter. The parameter's name is data ({@link #parameter()}), so an error answer can
 * name it (the admin API's {@code expression}) without reading it back from the message; the message still starts
 * with it for clients that only show diagnostics.
 */
public class InvalidStartParameterException extends InvalidRequestException {

	private final String parameter;

	public InvalidStartParameterException(String parameter, String problem) {
		super("Parameter '" + parameter + "': " + problem);
		this.parameter = parameter;
	}

	/** The name of the offending parameter, as the client sent it. */
	public String parameter() {
		return parameter;
	}
}
