package io.hapireindex.index;

import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import io.hapireindex.hapi.ResourceTables;
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
		Map<Long, ResourceTable> found = new HashMap<>();
		// HAPI's prefetch query, with the tags
		for (List<JpaPid> page : InLists.paddedPages(pids.stream().map(JpaPid::fromId).toList())) {
			ResourceTables.loadWithCurrentVersionAndTags(entityManager, page)
					.forEach(entity -> found.put(entity.getId().getId(), entity));
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
	 * The optimistic lock of a batch, checked and then held: the batch's resource rows read {@code FOR UPDATE}, and
	 * their versions compared with those the batch read, instead of HAPI's per-entity version check. Throws,
	 * failing the caller's transaction, if a resource got a new version, was deleted or vanished since it was read.
	 *
	 * <p>Why a lock and not a plain read of the versions: that left a window between the check and the commit. A
	 * delete committed in it found no index rows of ours yet, and the expunge after it then failed on the rows this
	 * batch committed for the deleted resource (a foreign key violation, seen in {@code LiveWritesIT}). The lock is
	 * held until this transaction ends: a concurrent delete or update waits for this commit and then replaces this
	 * batch's rows as usual, or it came first and the version no longer matches.
	 *
	 * <p>Why not a conditional {@code UPDATE ... SET RES_VER = RES_VER}, which locks too: on PostgreSQL every such
	 * update writes a new version of the row, so each full reindex rewrote the whole resource table (dead rows for
	 * the vacuum, and as much write-ahead log to ship to replicas); a row lock writes no new row.
	 */
	static void requireUnchanged(JdbcTemplate jdbc, Collection<ReadVersion> read) {
		Map<Long, Long> current = new HashMap<>();
		ResourceTables resources = new ResourceTables(jdbc);
		for (List<Long> page : InLists.paddedPages(read.stream().map(ReadVersion::pid).toList())) {
			current.putAll(resources.lockCurrentVersions(page));
		}
		for (ReadVersion resource : read) {
			Long version = current.get(resource.pid());
			if (version == null || version != resource.version()) {
				throw new ResourceVersionConflictException("Resource " + resource.resourceId()
						+ " changed while it was reindexed");
			}
		}
	}

	/**
	 * What the optimistic lock compares for one resource: the version the batch read, and the id to name it by. Kept
	 * instead of the entity, so a batch that detaches its entities as it goes still checks them all at its end.
	 */
	record ReadVersion(long pid, String resourceId, long version) {
		static ReadVersion of(ResourceTable entity) {
			return new ReadVersion(
					entity.getId().getId(), entity.getIdDt().toUnqualifiedVersionless().getValue(), entity.getVersion());
		}
	}

	/**
	 * {@code Type/id} of each of these resources that exists, deleted or not, by pid: what HAPI's
	 * {@code IIdHelperService.translatePidsToForcedIds} answers.
	 *
	 * <p>Why not HAPI's: in 8.8 it loads every target as a managed {@code ResourceTable} (kept, with its snapshot,
	 * and dirty-checked at commit, for the rest of the batch's transaction) and puts each in HAPI's id cache. A
	 * reindex visits every resource once, so those cache entries only push out the ones live requests use.
	 */
	static Map<Long, String> typedFhirIds(JdbcTemplate jdbc, Collection<Long> pids) {
		Map<Long, String> ids = new HashMap<>();
		ResourceTables resources = new ResourceTables(jdbc);
		for (List<Long> page : InLists.paddedPages(pids)) {
			ids.putAll(resources.typedFhirIds(page));
		}
		return ids;
	}
}
