package io.hapireindex.index;

import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import io.hapireindex.hapi.IndexTables;
import jakarta.persistence.EntityManager;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored index rows of a batch of resources, read with one query per index table, as HAPI's
 * {@link ResourceIndexedSearchParams#withLists} would read them resource by resource.
 *
 * <p>Like HAPI, a table's rows count for a resource only when the resource's flag for that table is set: a row
 * HAPI would not see, it would not remove either. Lists, not sets, so duplicate rows reach HAPI's synchronizer,
 * which removes them.
 */
final class StoredIndexRows {

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
	Map<Long, ResourceIndexedSearchParams> load(Map<Long, ResourceTable> entities, Runnable pace) {
		Map<Long, ResourceIndexedSearchParams> stored = new HashMap<>();
		// a new entity has every flag off, so this is HAPI's list-backed params with nothing in them
		entities.keySet().forEach(pid -> stored.put(pid, ResourceIndexedSearchParams.withLists(new ResourceTable())));
		for (IndexTables.Table<?> table : IndexTables.ALL) {
			pace.run();
			loadTable(table, entities, stored);
		}
		return stored;
	}

	private <T> void loadTable(IndexTables.Table<T> table, Map<Long, ResourceTable> entities, Map<Long, ResourceIndexedSearchParams> stored) {
		List<Long> flagged = entities.entrySet().stream()
				.filter(e -> table.flag().test(e.getValue()))
				.map(Map.Entry::getKey)
				.toList();
		if (flagged.isEmpty()) {
			return;
		}
		table.storedRows(entityManager, InLists.padded(flagged))
				.forEach(row -> table.rowsIn().apply(stored.get(table.pidOf().apply(row))).add(row));
	}
}
