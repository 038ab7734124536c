package io.hapireindex.job;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One unit of planning: the resources of one type matching one search URL, in one partition selection (on a
 * partitioned server one partition, unless the selection was too large to split: see PartitionSelection).
 *
 * @param resourceType   the type scanned
 * @param url            a search URL with parameters ({@code Observation?category=...}), or null for the whole type
 * @param partition      the partitions to read from
 * @param doneRanges     for a restart of a whole type: inclusive pid ranges {@code [first, last]} a previous job
 *                       already reindexed, which are left out; empty otherwise
 */
public record ReindexScope(
		@JsonProperty("resourceType") String resourceType,
		@JsonProperty("url") String url,
		@JsonProperty("partition") RequestPartitionId partition,
		@JsonProperty("doneRanges") List<List<Long>> doneRanges)
		implements IModelJson {

	public ReindexScope {
		doneRanges = doneRanges == null ? List.of() : doneRanges.stream().map(List::copyOf).toList();
	}

	public ReindexScope(String resourceType, String url, RequestPartitionId partition) {
		this(resourceType, url, partition, List.of());
	}

	/** True if a previous job already reindexed this pid (ranges are sorted and do not overlap). */
	@JsonIgnore
	public boolean isDone(long pid) {
		int lo = 0;
		int hi = doneRanges.size() - 1;
		while (lo <= hi) {
			int mid = (lo + hi) >>> 1;
			List<Long> r = doneRanges.get(mid);
			if (pid < r.get(0)) {
				hi = mid - 1;
			} else if (pid > r.get(1)) {
				lo = mid + 1;
			} else {
				return true;
			}
		}
		return false;
	}

	@JsonIgnore
	public boolean wholeType() {
		return url == null;
	}

	/** How the scope is shown to operators: the URL, or {@code Type?} for a whole type. */
	@JsonIgnore
	public String label() {
		return url != null ? url : resourceType + "?";
	}

	/** How a partition selection is shown to operators: {@code _ALL}, or its partitions' names (ids without names). */
	public static String partitionLabel(RequestPartitionId partition) {
		if (partition.isAllPartitions()) {
			return "_ALL";
		}
		return partition.hasPartitionNames()
				? String.join(",", partition.getPartitionNames())
				: partition.getPartitionIds().toString();
	}
}
