package io.hapireindex.job;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/** Parameters that break one of {@link ReindexJobRules}; a 400 when it reaches a client. */
public class InvalidJobParametersException extends InvalidRequestException {

	private final String parameter;

	public InvalidJobParametersException(String parameter, String message) {
		super("Invalid job parameter '" + parameter + "': " + message);
		this.parameter = parameter;
	}

	public String parameter() {
		return parameter;
	}
}
