package io.hapireindex.index;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.data.IResourceTableDao;
import ca.uhn.fhir.jpa.dao.index.DaoSearchParamSynchronizer;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractorSvc;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.jpa.util.AddRemoveCount;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;

/**
 * Recomputes every index row of a resource (links and combos included) with HAPI's extractor and writes the
 * difference with HAPI's {@link DaoSearchParamSynchronizer}, without HAPI's {@code updateEntity}.
 *
 * <p>Why: for CodeSystem, ValueSet and ConceptMap, {@code updateEntity} (what HAPI's reindex runs) also rebuilds
 * the terminology storage: a CodeSystem re-stores all of its concepts as a new version, a ValueSet loses its
 * pre-expansion, a ConceptMap's tables are recreated. A reindex of search indexes must not do that.
 */
public class FullRowIndexer {

	private final IResourceTableDao resourceTableDao;
	private final IJpaStorageResourceParser resourceParser;
	private final ISearchParamExtractorSvc extractor;
	private final DaoSearchParamSynchronizer synchronizer;
	private final JdbcTemplate jdbc;

	public FullRowIndexer(
			IResourceTableDao resourceTableDao,
			IJpaStorageResourceParser resourceParser,
			ISearchParamExtractorSvc extractor,
			DaoSearchParamSynchronizer synchronizer,
			DataSource dataSource) {
		this.resourceTableDao = resourceTableDao;
		this.resourceParser = resourceParser;
		this.extractor = extractor;
		this.synchronizer = synchronizer;
		this.jdbc = new JdbcTemplate(dataSource);
	}

	/**
	 * Runs in the caller's transaction.
	 *
	 * @param optimisticLock fail (so the caller retries) if the resource got a new version meanwhile
	 * @return whether any row was added or removed
	 */
	public boolean reindex(long pid, boolean optimisticLock) {
		ResourceTable entity = resourceTableDao
				.findById(JpaPid.fromId(pid))
				.orElseThrow(() -> new ResourceVersionConflictException("Resource " + pid + " is gone"));
		IBaseResource resource = resourceParser.toResource(entity, false);
		ResourceIndexedSearchParams stored = ResourceIndexedSearchParams.withLists(entity);
		ResourceIndexedSearchParams extracted = ResourceIndexedSearchParams.withSets();
		extractor.extractFromResource(
				partitionOf(entity),
				new SystemRequestDetails(),
				extracted,
				stored,
				entity,
				resource,
				new TransactionDetails(),
				false,
				params -> params);
		AddRemoveCount count = synchronizer.synchronizeSearchParamsToDatabase(extracted, entity, stored);
		extracted.populateResourceTableSearchParamsPresentFlags(entity);
		extracted.populateResourceTableParamCollections(entity);
		if (optimisticLock) {
			Long version = jdbc.queryForObject("SELECT RES_VER FROM HFJ_RESOURCE WHERE RES_ID = ?", Long.class, pid);
			if (version == null || version != entity.getVersion()) {
				throw new ResourceVersionConflictException(
						"Resource " + entity.getIdDt().toUnqualifiedVersionless().getValue() + " changed while it was reindexed");
			}
		}
		return count.getAddCount() > 0 || count.getRemoveCount() > 0;
	}

	private static RequestPartitionId partitionOf(ResourceTable entity) {
		if (entity.getPartitionId() == null || entity.getPartitionId().getPartitionId() == null) {
			return RequestPartitionId.defaultPartition();
		}
		return RequestPartitionId.fromPartitionId(
				entity.getPartitionId().getPartitionId(), entity.getPartitionId().getPartitionDate());
	}
}
