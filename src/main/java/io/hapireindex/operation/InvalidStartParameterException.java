package io.hapireindex.operation;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/** A 400 whose OperationOutcome names the offending start parameter first. */
public class InvalidStartParameterException extends InvalidRequestException {

	public InvalidStartParameterException(String parameter, String problem) {
		super("Parameter '" + parameter + "': " + problem);
	}
}
