package io.hapireindex.operation;

import io.hapireindex.job.InvalidJobParametersException;

/** A 400 about one parameter of a request, found while reading it, before any job rule is applied. */
public class InvalidStartParameterException extends InvalidJobParametersException {

	public InvalidStartParameterException(String parameter, String problem) {
		super("Parameter", parameter, problem);
	}
}
