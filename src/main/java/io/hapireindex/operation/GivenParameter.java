package io.hapireindex.operation;

/**
 * One parameter of a start request as the client gave it, whatever the form (a FHIR {@code Parameters} body of any
 * version, the admin page's JSON form, a retry built from an old job).
 *
 * @param name  the parameter's name (null when a Parameters entry had none)
 * @param value its value as text, trimmed; null when it had no non-blank primitive value
 */
public record GivenParameter(String name, String value) {

	public GivenParameter {
		value = value == null || value.isBlank() ? null : value.trim();
	}
}
