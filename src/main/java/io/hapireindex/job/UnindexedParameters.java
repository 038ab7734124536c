package io.hapireindex.job;

import java.util.List;

/** The search parameters a search URL uses that are not indexed yet (readiness is tracked elsewhere). */
@FunctionalInterface
public interface UnindexedParameters {

	/** For a server without readiness tracking. */
	UnindexedParameters NONE = (resourceType, searchUrl) -> List.of();

	/** @return each such parameter as {@code code (state)}; empty when the search can be trusted */
	List<String> notReadyIn(String resourceType, String searchUrl);
}
