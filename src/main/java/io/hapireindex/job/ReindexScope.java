package io.hapireindex.job;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One unit of planning: the resources of one type matching one search URL, in one partition selection.
 *
 * @param resourceType the type scanned
 * @param url          a search URL with parameters ({@code Observation?category=...}), or null for the whole type
 * @param partition    the partitions to read from
 */
public record ReindexScope(
		@JsonProperty("resourceType") String resourceType,
		@JsonProperty("url") String url,
		@JsonProperty("partition") RequestPartitionId partition)
		implements IModelJson {

	public boolean wholeType() {
		return url == null;
	}

	/** How the scope is shown to operators: the URL, or {@code Type?} for a whole type. */
	public String label() {
		return url != null ? url : resourceType + "?";
	}
}
