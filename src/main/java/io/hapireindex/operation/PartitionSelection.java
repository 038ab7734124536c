package io.hapireindex.operation;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.entity.PartitionEntity;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.util.JpaConstants;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.hapireindex.job.ReindexScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import static io.hapireindex.operation.StartParameterNames.PARTITION_ID;

/**
 * Which partitions a job reads, shared by {@code $reindex} and {@code $terminology-reindex}: the request's
 * {@code partitionId} values checked against the caller's partition, and the split of a selection of several
 * partitions into one per partition, so that each planned scope reads, and is counted for, one partition.
 */
public class PartitionSelection {

	private static final Logger LOG = LoggerFactory.getLogger(PartitionSelection.class);

	/**
	 * Above this many planned scopes a selection is not split: every scope is a chunk whose parameters batch2
	 * parses again for each chunk, and thousands of tenants times every resource type would make those
	 * parameters megabytes. Such a job reads the same partitions with one combined status row.
	 */
	static final int MAX_SPLIT_SCOPES = 2_000;

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

	/**
	 * Each scope once per partition of the selection, scope by scope, so the status counts every partition on
	 * its own row. A selection of one partition, an unpartitioned server, and a split beyond
	 * {@link #MAX_SPLIT_SCOPES} keep the scopes as they are.
	 */
	public List<ReindexScope> splitByPartition(List<ReindexScope> scopes, RequestPartitionId selection) {
		if (!partitionSettings.isPartitioningEnabled() || scopes.isEmpty()) {
			return scopes;
		}
		List<RequestPartitionId> each = eachPartition(selection);
		if (each.size() < 2) {
			return scopes;
		}
		if ((long) each.size() * scopes.size() > MAX_SPLIT_SCOPES) {
			// no job id yet: this runs before the job is created
			LOG.info("Reindex request over {} partitions and {} scope(s): more than {} scopes split, so the status"
					+ " counts the partitions together", each.size(), scopes.size(), MAX_SPLIT_SCOPES);
			return scopes;
		}
		List<ReindexScope> split = new ArrayList<>(each.size() * scopes.size());
		for (ReindexScope scope : scopes) {
			each.forEach(p -> split.add(new ReindexScope(scope.resourceType(), scope.url(), p, scope.doneRanges())));
		}
		return split;
	}

	/**
	 * The single partitions of a selection, each with its id and name. All partitions are the default one and
	 * every partition HAPI lists; in unnamed partition mode HAPI lists none, so all partitions stay one.
	 */
	List<RequestPartitionId> eachPartition(RequestPartitionId selection) {
		if (selection.isAllPartitions()) {
			return partitionSettings.isUnnamedPartitionMode() ? List.of(selection) : everyPartition();
		}
		List<Integer> ids = selection.hasPartitionIds() ? selection.getPartitionIds() : List.of();
		List<String> names = selection.hasPartitionNames() ? selection.getPartitionNames() : List.of();
		int count = Math.max(ids.size(), names.size());
		List<RequestPartitionId> each = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			Integer id = i < ids.size() ? ids.get(i) : null;
			String name = i < names.size() ? names.get(i) : null;
			RequestPartitionId one = single(id, name);
			if (!each.contains(one)) {
				each.add(one);
			}
		}
		return each;
	}

	private List<RequestPartitionId> everyPartition() {
		List<RequestPartitionId> each = new ArrayList<>();
		each.add(defaultPartition());
		partitionLookup.listPartitions().stream()
				.filter(p -> !isDefault(p.getId(), p.getName()))
				.sorted(Comparator.comparing(PartitionEntity::getName, Comparator.nullsLast(Comparator.naturalOrder())))
				.forEach(p -> each.add(RequestPartitionId.forPartitionIdAndName(p.getId(), p.getName(), null)));
		return each;
	}

	/** One partition with both id and name: the name labels its status row, the id filters its reads. */
	private RequestPartitionId single(Integer id, String name) {
		if (isDefault(id, name)) {
			return defaultPartition();
		}
		if (id != null && name != null) {
			return RequestPartitionId.forPartitionIdAndName(id, name, null);
		}
		PartitionEntity entity = id != null ? partitionLookup.getPartitionById(id) : partitionLookup.getPartitionByName(name);
		// unnamed partition mode: partitions have ids only, and the row is labelled with the id
		return entity.getName() == null
				? RequestPartitionId.fromPartitionId(entity.getId())
				: RequestPartitionId.forPartitionIdAndName(entity.getId(), entity.getName(), null);
	}

	/** A null id in a selection is the default partition, as HAPI's own {@code defaultPartition()} writes it. */
	private boolean isDefault(Integer id, String name) {
		return JpaConstants.DEFAULT_PARTITION_NAME.equals(name)
				|| (name == null && (id == null || Objects.equals(id, partitionSettings.getDefaultPartitionId())));
	}

	/** With its id in a list even when that id is null: forPartitionIdAndName(null, ...) would set no ids at all. */
	private RequestPartitionId defaultPartition() {
		return RequestPartitionId.forPartitionIdsAndNames(
				List.of(JpaConstants.DEFAULT_PARTITION_NAME),
				Collections.singletonList(partitionSettings.getDefaultPartitionId()),
				null);
	}
}
