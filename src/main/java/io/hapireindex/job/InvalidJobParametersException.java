package io.hapireindex.job;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * A 400 about one parameter: here one that breaks {@link ReindexJobRules}. The parameter's name is data
 * ({@link #parameter()}), so an error answer can name it (the admin API's {@code expression}) without reading it back
 * from the message; the message still starts with it for clients that only show diagnostics.
 */
public class InvalidJobParametersException extends InvalidRequestException {

	private final String parameter;

	public InvalidJobParametersException(String parameter, String message) {
		this("Invalid job parameter", parameter, message);
	}

	/** @param label how the message names what is wrong, before the parameter's quoted name */
	protected InvalidJobParametersException(String label, String parameter, String problem) {
		super(label + " '" + parameter + "': " + problem);
		this.parameter = parameter;
	}

	/** The name of the offending parameter, as the client sent it. */
	public String parameter() {
		return parameter;
	}
}
