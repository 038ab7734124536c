package io.hapireindex.index;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.dao.data.IResourceTableDao;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import jakarta.persistence.EntityManager;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Loading a batch of resources for reindexing, and checking at the end that none changed meanwhile. */
final class BatchResources {

	private BatchResources() {}

	/**
	 * The batch's resource entities in the session, with their current versions and tags, in a few queries
	 * (HAPI's prefetch without index rows: the indexers read only the rows they need).
	 *
	 * <p>Tags: HAPI's parser reads every resource's tag collection (to pick the class to parse into), and HAPI's
	 * prefetch without indexes leaves it lazy, so each resource cost one more query (a fifth of a targeted job,
	 * profiled). One join fetch for the batch initialises them all, empty ones included.
	 */
	static Map<Long, ResourceTable> load(
			IFhirSystemDao<?, ?> systemDao, IResourceTableDao resourceTableDao, EntityManager entityManager, Collection<Long> pids) {
		List<JpaPid> jpaPids = pids.stream().map(JpaPid::fromId).toList();
		systemDao.preFetchResources(jpaPids, false);
		entityManager
				.createQuery("SELECT r FROM ResourceTable r LEFT JOIN FETCH r.myTags t LEFT JOIN FETCH t.myTag"
						+ " WHERE r.myPid IN (:ids)", ResourceTable.class)
				.setParameter("ids", jpaPids)
				.getResultList();
		Map<Long, ResourceTable> entities = new LinkedHashMap<>();
		for (JpaPid pid : jpaPids) {
			entities.put(pid.getId(), resourceTableDao
					.findById(pid)
					.orElseThrow(() -> new ResourceVersionConflictException("Resource " + pid.getId() + " is gone")));
		}
		return entities;
	}

	/**
	 * The optimistic lock of a batch: one query at the end instead of HAPI's per-entity version lock (a reindex
	 * never bumps the version itself). Throws, failing the caller's transaction, if a resource got a new version
	 * or vanished since it was read.
	 */
	static void requireUnchanged(JdbcTemplate jdbc, Collection<ResourceTable> entities) {
		Map<Long, Long> versions = new HashMap<>();
		String marks = entities.stream().map(e -> "?").collect(Collectors.joining(","));
		jdbc.query(
				"SELECT RES_ID, RES_VER FROM HFJ_RESOURCE WHERE RES_ID IN (" + marks + ")",
				rs -> {
					versions.put(rs.getLong(1), rs.getLong(2));
				},
				entities.stream().map(e -> e.getId().getId()).toArray());
		for (ResourceTable entity : entities) {
			Long version = versions.get(entity.getId().getId());
			if (version == null || version != entity.getVersion()) {
				throw new ResourceVersionConflictException("Resource "
						+ entity.getIdDt().toUnqualifiedVersionless().getValue() + " changed while it was reindexed");
			}
		}
	}
}
