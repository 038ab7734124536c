package io.hapireindex.hapi;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;

import java.util.Collections;

/**
 * The partition HAPI works in for a stored resource, as HAPI's {@code updateEntity} and index writes compute it
 * (private code in HAPI, so copied here, in one place).
 *
 * <p>HAPI 8.12 removes {@code RequestPartitionId.defaultPartition()}: the default partition is built here from
 * what that method returned in 8.4 to 8.8 ({@code fromPartitionIds([null])}), which all of them accept.
 */
public final class Partitions {

	private Partitions() {}

	/** The partition HAPI's {@code updateEntity} extracts a resource's index rows in. */
	public static RequestPartitionId extractionPartition(ResourceTable entity, PartitionSettings partitionSettings) {
		if (!partitionSettings.isPartitioningEnabled()) {
			return RequestPartitionId.allPartitions();
		}
		if (entity.getPartitionId() != null) {
			return entity.getPartitionId().toPartitionId();
		}
		return partitionSettings.getDefaultRequestPartitionId();
	}

	/** The partition a resource is stored in: its own, or the default partition (id null) when it has none. */
	public static RequestPartitionId storedPartition(ResourceTable entity) {
		if (entity.getPartitionId() == null || entity.getPartitionId().getPartitionId() == null) {
			return RequestPartitionId.fromPartitionIds(Collections.singletonList(null));
		}
		return RequestPartitionId.fromPartitionId(
				entity.getPartitionId().getPartitionId(), entity.getPartitionId().getPartitionDate());
	}
}
