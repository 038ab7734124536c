package io.hapireindex.searchparam;

import java.util.Set;

/**
 * One committed SearchParameter write.
 *
 * @param url             the parameter's canonical URL
 * @param code            its code (the name used in searches)
 * @param bases           the resource types it applies to ({@code Resource} meaning all)
 * @param deleted         true when the parameter was deleted (its rows must go)
 * @param previousVersion true for the version an update replaced (its URL and bases may differ from the new one)
 * @param active          whether this version has status {@code active} (only active parameters are searchable)
 */
public record SearchParameterChange(
		String url, String code, Set<String> bases, boolean deleted, boolean previousVersion, boolean active) {

	public SearchParameterChange {
		bases = Set.copyOf(bases);
	}

	public SearchParameterChange(String url, Set<String> bases, boolean deleted) {
		this(url, null, bases, deleted, false, true);
	}
}
