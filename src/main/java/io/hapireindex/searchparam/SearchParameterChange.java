package io.hapireindex.searchparam;

import java.util.Set;

/**
 * One committed SearchParameter write.
 *
 * @param url     the parameter's canonical URL
 * @param bases   the resource types it applies to ({@code Resource} meaning all)
 * @param deleted true when the parameter was deleted (its rows must go)
 */
public record SearchParameterChange(String url, Set<String> bases, boolean deleted) {

	public SearchParameterChange {
		bases = Set.copyOf(bases);
	}
}
