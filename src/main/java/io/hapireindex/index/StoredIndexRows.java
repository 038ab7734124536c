package io.hapireindex.index;

import ca.uhn.fhir.jpa.model.entity.BaseResourceIndex;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import io.hapireindex.hapi.IndexTables;
import jakarta.persistence.EntityManager;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored index rows of a batch of resources, read with one query per index table, as HAPI's
 * {@link ResourceIndexedSearchParams#withLists} would read them resource by resource.
 *
 * <p>Like HAPI, a table's rows count for a resource only when the resource's flag for that table is set: a row
 * HAPI would not see, it would not remove either.
 *
 * <p>Sets, not HAPI's lists: HAPI 8.8's {@code DaoSearchParamSynchronizer} asks the stored collection whether it
 * contains each extracted row ({@code subtract(newParams, existingParams)}), which on a list made a resource cost
 * the product of its stored and extracted rows: 25 million {@code equals} calls for a Provenance naming 5,000
 * resources, as Synthea's do (issue 17 measured them at about one a second). HAPI fixed it in 8.12 (#8017). A set cannot hold the duplicate rows a table may have, which HAPI's
 * synchronizer removes first thing; so a row equal to one already read (after the same
 * {@code setPlaceholderHashesIfMissing} HAPI's check does) is kept aside in {@link Stored#duplicates}, for the
 * caller to remove where HAPI's synchronizer would have.
 */
final class StoredIndexRows {

	/**
	 * One resource's stored rows.
	 *
	 * @param params     its rows, as HAPI's synchronizer reads them
	 * @param duplicates rows equal to one in {@code params}: HAPI's synchronizer deletes these before comparing
	 */
	record Stored(ResourceIndexedSearchParams params, List<BaseResourceIndex> duplicates) {}

	private final EntityManager entityManager;

	StoredIndexRows(EntityManager entityManager) {
		this.entityManager = entityManager;
	}

	/**
	 * pid to the resource's stored rows, for every resource of the batch.
	 *
	 * @param pace run before each table's query (a worker stepping aside for requests: the queries of one batch
	 *             take as long as tens of its resources' extraction)
	 */
	Map<Long, Stored> load(Map<Long, ResourceTable> entities, Runnable pace) {
		Map<Long, Stored> stored = new HashMap<>();
		entities.keySet().forEach(pid -> stored.put(pid, new Stored(ResourceIndexedSearchParams.withSets(), new ArrayList<>())));
		for (IndexTables.Table<?> table : IndexTables.ALL) {
			pace.run();
			loadTable(table, entities, stored);
		}
		return stored;
	}

	private <T> void loadTable(IndexTables.Table<T> table, Map<Long, ResourceTable> entities, Map<Long, Stored> stored) {
		List<Long> flagged = entities.entrySet().stream()
				.filter(e -> table.flag().test(e.getValue()))
				.map(Map.Entry::getKey)
				.toList();
		if (flagged.isEmpty()) {
			return;
		}
		table.storedRows(entityManager, InLists.padded(flagged)).forEach(row -> {
			Stored resource = stored.get(table.pidOf().apply(row));
			BaseResourceIndex index = (BaseResourceIndex) row;
			// what HAPI's synchronizer does to each stored row before it looks for duplicates
			index.setPlaceholderHashesIfMissing();
			if (!table.rowsIn().apply(resource.params()).add(row)) {
				resource.duplicates().add(index);
			}
		});
	}
}
