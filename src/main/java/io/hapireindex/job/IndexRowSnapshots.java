package io.hapireindex.job;

import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import io.hapireindex.hapi.IndexTables;
import io.hapireindex.index.InLists;
import io.hapireindex.index.IndexRowMapper;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.orm.jpa.SharedEntityManagerCreator;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which resources had index rows added or removed by HAPI's own reindex ({@code dao.reindex}), which returns no
 * counts: each resource's rows, as values, before and after, compared.
 *
 * <p>Why not what HAPI logs: the only count HAPI gives is the text of a {@code JPA_PERFTRACE_INFO} message, which
 * 8.8 sends for exactly the resources that did NOT change (its {@code AddRemoveCount.isEmpty()} is inverted); a
 * parse of HAPI's wording breaks silently with any version that words it differently. The rows are the module's
 * own reading. It costs two reads of the batch's index tables, on the paths that still use HAPI's reindex
 * (SearchParameter resources, storage options, fulltext servers, {@code $terminology-reindex}).
 */
public class IndexRowSnapshots {

	/** The rows of each resource of a batch at one moment, as a multiset of values. */
	public static final class Snapshot {
		private final Map<Long, Map<Object, Integer>> rows;

		private Snapshot(Map<Long, Map<Object, Integer>> rows) {
			this.rows = rows;
		}

		/** The pids whose rows differ between this snapshot and a later one. */
		public Set<Long> changedIn(Snapshot later) {
			Set<Long> changed = new HashSet<>();
			Set<Long> pids = new HashSet<>(rows.keySet());
			pids.addAll(later.rows.keySet());
			for (Long pid : pids) {
				if (!rows.getOrDefault(pid, Map.of()).equals(later.rows.getOrDefault(pid, Map.of()))) {
					changed.add(pid);
				}
			}
			return changed;
		}
	}

	private final EntityManager entityManager;
	private final IndexRowMapper rowMapper;

	public IndexRowSnapshots(EntityManagerFactory entityManagerFactory, IndexRowMapper rowMapper) {
		this.entityManager = SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory);
		this.rowMapper = rowMapper;
	}

	/**
	 * The stored rows of these resources now, in the caller's transaction. Its pending writes are flushed first:
	 * batches run with flushes at commit only, and a query would not see them.
	 */
	public Snapshot take(String resourceType, Collection<Long> pids) {
		entityManager.flush();
		Map<Long, ResourceIndexedSearchParams> params = new HashMap<>();
		// a new entity has every flag off, so these are empty lists to add the stored rows to
		pids.forEach(pid -> params.put(pid, ResourceIndexedSearchParams.withLists(new ResourceTable())));
		Map<Long, Map<Object, Integer>> rows = new HashMap<>();
		for (List<Long> page : InLists.paddedPages(pids)) {
			for (IndexTables.Table<?> table : IndexTables.ALL) {
				collect(table, page, params);
			}
			for (IndexTables.PresenceRow presence : IndexTables.storedPresenceRows(entityManager, page)) {
				if (params.containsKey(presence.pid())) {
					rows.computeIfAbsent(presence.pid(), k -> new HashMap<>()).merge(presence, 1, Integer::sum);
				}
			}
		}
		params.forEach((pid, stored) -> rowMapper.toRows(stored, resourceType, null)
				.forEach(row -> rows.computeIfAbsent(pid, k -> new HashMap<>()).merge(row, 1, Integer::sum)));
		return new Snapshot(rows);
	}

	private <T> void collect(IndexTables.Table<T> table, List<Long> page, Map<Long, ResourceIndexedSearchParams> params) {
		for (T row : table.storedRows(entityManager, page)) {
			ResourceIndexedSearchParams of = params.get(table.pidOf().apply(row));
			if (of != null) {
				table.rowsIn().apply(of).add(row);
			}
		}
	}
}
