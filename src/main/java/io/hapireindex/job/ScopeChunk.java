package io.hapireindex.job;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Work of the load-ids step: one scope of the job, by index.
 *
 * @param scopeIndex index into the job's scopes, or past them for a group of explicit resource ids
 * @param resourceType the scope's type
 * @param resourceIds explicit ids ({@code Type/id}) for an id group, else empty
 */
public record ScopeChunk(
		@JsonProperty("scopeIndex") int scopeIndex,
		@JsonProperty("resourceType") String resourceType,
		@JsonProperty("resourceIds") List<String> resourceIds)
		implements IModelJson {

	public ScopeChunk {
		resourceIds = resourceIds == null ? List.of() : List.copyOf(resourceIds);
	}
}
