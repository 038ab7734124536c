package io.hapireindex.index;

import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import jakarta.persistence.EntityManager;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loading a batch of resources for reindexing, and checking at the end that none changed meanwhile. */
final class BatchResources {

	private BatchResources() {}

	/**
	 * The batch's resource entities in the session, with their current versions and tags, in one query: HAPI's
	 * prefetch without index rows ({@code preFetchResources(ids, false)}: each resource with its current
	 * version) plus the tags.
	 *
	 * <p>Tags: HAPI's parser reads every resource's tag collection (to pick the class to parse into), and left
	 * lazy each one cost a query of its own (a fifth of a targeted job, profiled). Why not HAPI's prefetch and then
	 * the tags: that read every resource row twice, and materialising entities is most of a page's load time.
	 */
	static Map<Long, ResourceTable> load(EntityManager entityManager, Collection<Long> pids) {
		List<JpaPid> jpaPids = pids.stream().map(JpaPid::fromId).toList();
		Map<Long, ResourceTable> found = new HashMap<>();
		// HAPI's prefetch query, with the tags: the same 800-id cap on IN lists as HAPI's QueryChunker
		for (int from = 0; from < jpaPids.size(); from += 800) {
			entityManager
					.createQuery("SELECT r, h FROM ResourceTable r LEFT JOIN FETCH r.myTags t LEFT JOIN FETCH t.myTag"
							+ " LEFT JOIN ResourceHistoryTable h"
							+ " ON r.myVersion = h.myResourceVersion AND r = h.myResourceTable"
							+ " WHERE r.myPid IN (:ids)", Object[].class)
					.setParameter("ids", jpaPids.subList(from, Math.min(jpaPids.size(), from + 800)))
					.getResultList()
					.forEach(row -> {
						ResourceTable entity = (ResourceTable) row[0];
						entity.setCurrentVersionEntity((ResourceHistoryTable) row[1]);
						found.put(entity.getId().getId(), entity);
					});
		}
		Map<Long, ResourceTable> entities = new LinkedHashMap<>();
		for (Long pid : pids) {
			ResourceTable entity = found.get(pid);
			// Deleted since the batch's ids were read: HAPI's parser gives a deleted resource as an empty one, whose
			// extraction still yields rows (an empty Patient is indexed deceased=false), which must not be written
			// for a resource whose rows its delete removed (an $expunge would then fail on them).
			if (entity == null || entity.getDeleted() != null) {
				throw new ResourceVersionConflictException("Resource " + pid + " is gone");
			}
			entities.put(pid, entity);
		}
		return entities;
	}

	/**
	 * The optimistic lock of a batch, checked and then held: one batched conditional UPDATE that changes nothing
	 * ({@code SET RES_VER = RES_VER WHERE RES_ID = ? AND RES_VER = ? AND RES_DELETED_AT IS NULL}) instead of HAPI's per-entity version check.
	 * Throws, failing the caller's transaction, if a resource got a new version or vanished since it was read.
	 *
	 * <p>Why an UPDATE and not a SELECT of the versions: a SELECT left a window between the check and the commit.
	 * A delete committed in it found no index rows of ours yet, and the expunge after it then failed on the rows
	 * this batch committed for the deleted resource (a foreign key violation, seen in {@code LiveWritesIT}). The
	 * UPDATE takes each row's lock until this transaction ends: a concurrent delete waits for this commit and then
	 * removes this batch's rows with the others, or it came first and the version no longer matches.
	 */
	static void requireUnchanged(JdbcTemplate jdbc, Collection<ResourceTable> entities) {
		List<ResourceTable> list = List.copyOf(entities);
		int[] updated = jdbc.batchUpdate(
				"UPDATE HFJ_RESOURCE SET RES_VER = RES_VER WHERE RES_ID = ? AND RES_VER = ? AND RES_DELETED_AT IS NULL",
				list.stream().map(e -> new Object[] {e.getId().getId(), e.getVersion()}).toList());
		for (int i = 0; i < updated.length; i++) {
			// SUCCESS_NO_INFO (-2): the driver did the update but cannot say how many rows; only 0 is a miss
			if (updated[i] == 0) {
				throw new ResourceVersionConflictException("Resource "
						+ list.get(i).getIdDt().toUnqualifiedVersionless().getValue() + " changed while it was reindexed");
			}
		}
	}
}
