package io.hapireindex.operation;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;

import java.util.ArrayList;
import java.util.List;

import static io.hapireindex.operation.StartParameterNames.PARTITION_ID;

/**
 * Which partitions a job reads, shared by {@code $reindex} and {@code $terminology-reindex}: the request's
 * {@code partitionId} values checked against the caller's partition.
 */
public class PartitionSelection {

	private final PartitionSettings partitionSettings;
	private final IPartitionLookupSvc partitionLookup;

	public PartitionSelection(PartitionSettings partitionSettings, IPartitionLookupSvc partitionLookup) {
		this.partitionSettings = partitionSettings;
		this.partitionLookup = partitionLookup;
	}

	/** The caller's own partition when partitioning is on, otherwise all partitions. */
	public RequestPartitionId callerOrAll(RequestPartitionId callerPartition) {
		return partitionSettings.isPartitioningEnabled() && callerPartition != null
				? callerPartition
				: RequestPartitionId.allPartitions();
	}

	/**
	 * The partitions named by {@code partitionId} (ids, names or {@code _ALL}), which must lie within the
	 * caller's partition; the caller's partition when none is named.
	 */
	public RequestPartitionId requested(List<String> values, RequestPartitionId callerPartition) {
		if (values == null || values.isEmpty()) {
			return callerOrAll(callerPartition);
		}
		if (!partitionSettings.isPartitioningEnabled()) {
			throw new InvalidStartParameterException(PARTITION_ID, "partitioning is not enabled on this server");
		}
		if (values.contains("_ALL")) {
			if (values.size() > 1) {
				throw new InvalidStartParameterException(PARTITION_ID, "_ALL cannot be combined with other partitions");
			}
			return callerPartition != null && !callerPartition.isAllPartitions()
					? callerPartition
					: RequestPartitionId.allPartitions();
		}
		List<Integer> ids = new ArrayList<>();
		List<String> names = new ArrayList<>();
		for (String value : values) {
			try {
				var entity = value.matches("-?\\d+")
						? partitionLookup.getPartitionById(Integer.valueOf(value))
						: partitionLookup.getPartitionByName(value);
				ids.add(entity.getId());
				names.add(entity.getName());
			} catch (BaseServerResponseException | NumberFormatException e) {
				throw new InvalidStartParameterException(PARTITION_ID, "unknown partition '" + value + "'");
			}
		}
		RequestPartitionId requested = RequestPartitionId.forPartitionIdsAndNames(names, ids, null);
		if (callerPartition != null && !callerPartition.isAllPartitions()
				&& !callerPartition.getPartitionIds().containsAll(ids)) {
			throw new InvalidStartParameterException(PARTITION_ID, "the request may not use partitions " + values);
		}
		return requested;
	}
}
