package io.hapireindex.job;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Work of the reindex step: at most {@code batchSize} resource pids of one type, in pid order.
 *
 * @param scopeIndex the scope whose counters this batch adds to
 */
public record PidBatch(
		@JsonProperty("scopeIndex") int scopeIndex,
		@JsonProperty("resourceType") String resourceType,
		@JsonProperty("pids") List<Long> pids)
		implements IModelJson {

	public PidBatch {
		pids = pids == null ? List.of() : List.copyOf(pids);
	}
}
