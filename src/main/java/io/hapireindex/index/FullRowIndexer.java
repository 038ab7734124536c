package io.hapireindex.index;

import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.cache.IResourceTypeCacheSvc;
import ca.uhn.fhir.jpa.dao.IFulltextSearchSvc;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.data.IResourceTableDao;
import ca.uhn.fhir.jpa.dao.index.DaoSearchParamSynchronizer;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.EntityIndexStatusEnum;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.jpa.sp.ISearchParamPresenceSvc;
import ca.uhn.fhir.jpa.util.AddRemoveCount;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.SearchParamExtraction;
import io.hapireindex.hapi.HapiTexts;
import io.hapireindex.hapi.IndexTables;
import io.hapireindex.hapi.NothingToContain;
import io.hapireindex.hapi.Partitions;
import io.hapireindex.hapi.ResourceTables;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Recomputes every index row of a batch of resources (links and combos included) with HAPI's extractor and writes
 * the difference with HAPI's {@link DaoSearchParamSynchronizer}: the rows HAPI's reindex writes, without HAPI's
 * {@code updateEntity} around them.
 *
 * <p>Why not HAPI's {@code dao.reindex} per resource, which a full reindex used before: profiled on the
 * benchmark's data, two thirds of its time went to work a reindex does not need. It re-encodes every resource
 * to compare it with the stored body (a reindex never changes the body), validates it for storage, resolves
 * the targets of each resource's stored references with one query per resource, and prefetches every index
 * table with join fetches. Here a batch costs a few queries: the resources, each index table's stored rows of
 * the batch, one lookup of all reference targets; then HAPI's extractor and synchronizer per resource.
 *
 * <p>For CodeSystem, ValueSet and ConceptMap this also avoids {@code updateEntity}'s terminology side effects
 * (a CodeSystem re-storing all of its concepts, a ValueSet losing its pre-expansion), which a reindex of search
 * indexes must not cause.
 *
 * <p>Not covered (the caller uses HAPI's reindex instead, see {@link #covers}): fulltext indexing, whose data
 * comes from {@code updateEntity}.
 */
public class FullRowIndexer {

	/**
	 * Resources whose entities, stored rows and new rows are in the session at once. A batch is written and
	 * detached slice by slice, so what a worker holds follows neither the batch size nor how many resources of a
	 * heavy type a data set has: with whole 500-resource batches in the session, the benchmark's held-heap probe
	 * found two workers holding 13 to 29 MB, more at 200,000 resources (whose Patients, 28 index rows each, fill
	 * whole batches) than at 10,000 (207 Patients); with slices of 100, 5.5 MB at 10,000 and 5.8 MB at 200,000, and
	 * the jobs took as long. The cost is a few more queries per batch (each slice's entities and stored rows).
	 */
	public static final int SLICE = 100;

	/**
	 * HAPI's building blocks this needs; a record keeps the constructor readable, and Spring builds it from the beans
	 * it names.
	 */
	@Component("hapiFhirReindexFullRowIndexerParts")
	public record Parts(
			IFhirSystemDao<?, ?> systemDao,
			IResourceTableDao resourceTableDao,
			IJpaStorageResourceParser resourceParser,
			SearchParamExtraction extractor,
			DaoSearchParamSynchronizer synchronizer,
			IResourceTypeCacheSvc resourceTypes,
			ISearchParamPresenceSvc presence,
			ISearchParamRegistry searchParamRegistry,
			JpaStorageSettings storageSettings,
			PartitionSettings partitionSettings,
			ObjectProvider<IFulltextSearchSvc> fulltext,
			EntityManagerFactory entityManagerFactory,
			DataSource dataSource) {}

	/**
	 * What happened to a batch.
	 *
	 * @param changed the pids of resources that had a row added or removed
	 * @param failed  resources HAPI's extractor could not index (marked INDEXING_FAILED, as HAPI does), by pid
	 */
	public record Outcome(Set<Long> changed, Map<Long, String> failed) {}

	private final Parts parts;
	/** HAPI's fulltext indexing writes more than index rows; with it on, batches go through HAPI's own reindex. */
	private final boolean fulltextIndexing;
	private final EntityManager entityManager;
	private final JdbcTemplate jdbc;
	private final IndexingParser indexingParser;

	public FullRowIndexer(Parts parts) {
		this.parts = parts;
		IFulltextSearchSvc fulltext = parts.fulltext().getIfAvailable();
		this.fulltextIndexing = fulltext != null && !fulltext.isDisabled();
		this.indexingParser = new IndexingParser(parts.resourceParser(), parts.searchParamRegistry());
		this.entityManager = SharedEntityManagerCreator.createSharedEntityManager(parts.entityManagerFactory());
		this.jdbc = new JdbcTemplate(parts.dataSource());
	}

	/** Whether this computes the same rows and flags HAPI's reindex would on this server. */
	public boolean covers() {
		return !fulltextIndexing;
	}

	/**
	 * Reindexes a batch of resources of one type in the caller's transaction.
	 *
	 * @param optimisticLock fail (so the caller retries) if a resource got a new version meanwhile, rather than
	 *                       writing rows extracted from the old one
	 * @param pace           run before each resource and each of the batch's queries (a worker stepping aside for requests)
	 */
	public Outcome reindexBatch(Collection<Long> pids, boolean optimisticLock, Runnable pace) {
		// one TransactionDetails for the batch: ids resolved for one resource serve the others
		TransactionDetails transaction = new TransactionDetails();
		Set<Long> changed = new HashSet<>();
		Map<Long, String> failed = new LinkedHashMap<>();
		Map<String, Boolean> narrativeUnused = new HashMap<>();
		List<BatchResources.ReadVersion> read = new ArrayList<>(pids.size());
		for (List<Long> slice : InLists.pages(pids, SLICE)) {
			Map<Long, ResourceTable> entities = BatchResources.load(entityManager, slice);
			if (optimisticLock) {
				entities.values().forEach(entity -> read.add(BatchResources.ReadVersion.of(entity)));
			}
			reindexSlice(entities, transaction, narrativeUnused, changed, failed, pace);
			// The slice's writes go to the database and its entities leave the session: see SLICE.
			entityManager.flush();
			entityManager.clear();
		}
		if (optimisticLock) {
			pace.run();
			BatchResources.requireUnchanged(jdbc, read);
		}
		return new Outcome(changed, failed);
	}

	private void reindexSlice(
			Map<Long, ResourceTable> entities,
			TransactionDetails transaction,
			Map<String, Boolean> narrativeUnused,
			Set<Long> changed,
			Map<Long, String> failed,
			Runnable pace) {
		Map<Long, StoredIndexRows.Stored> stored = new StoredIndexRows(entityManager).load(entities, pace);
		pace.run();
		preResolveStoredReferenceTargets(transaction, stored.values());
		// parsed before any is extracted, so that the references no stored link names are looked up together
		Map<Long, Object> parsed = new HashMap<>();
		for (ResourceTable entity : entities.values()) {
			try {
				IBaseResource resource = indexingParser.parse(entity,
						narrativeUnused.computeIfAbsent(entity.getResourceType(), indexingParser::narrativeUnused));
				NothingToContain.markParsed(resource);
				parsed.put(entity.getId().getId(), resource);
			} catch (RuntimeException e) {
				parsed.put(entity.getId().getId(), e);
			}
		}
		pace.run();
		preResolveNewReferenceTargets(transaction, parsed.values());
		for (ResourceTable entity : entities.values()) {
			pace.run();
			long pid = entity.getId().getId();
			StoredIndexRows.Stored storedRows = stored.get(pid);
			ResourceIndexedSearchParams existing = storedRows.params();
			ResourceIndexedSearchParams extracted = ResourceIndexedSearchParams.withSets();
			try {
				if (parsed.get(pid) instanceof RuntimeException e) {
					throw e;
				}
				IBaseResource resource = (IBaseResource) parsed.get(pid);
				parts.extractor().extractFromResource(
						Partitions.extractionPartition(entity, parts.partitionSettings()),
						request(),
						extracted,
						existing,
						entity,
						resource,
						transaction,
						true,
						ISearchParamExtractor.ALL_PARAMS);
			} catch (RuntimeException e) {
				// as HAPI's reindex does: the resource keeps its rows, is marked and reported
				failed.put(pid, HapiTexts.reindexFailure(entity.getIdDt(), e));
				parts.resourceTableDao().updateIndexStatus(entity.getId(), EntityIndexStatusEnum.INDEXING_FAILED);
				continue;
			}
			extracted.myLinks.stream()
					.filter(link -> link.getTargetResourceType() != null)
					.forEach(link -> link.setTargetResourceTypeId(
							parts.resourceTypes().getResourceTypeId(link.getTargetResourceType())));
			extracted.populateResourceTableSearchParamsPresentFlags(entity);
			if (!fulltextIndexing) {
				entity.setIndexStatus(EntityIndexStatusEnum.INDEXED_RDBMS_ONLY);
			}
			boolean presenceChanged = parts.storageSettings().getIndexMissingFields() == StorageSettings.IndexEnabledEnum.ENABLED
					&& changes(parts.presence().updatePresence(entity, extracted.mySearchParamPresentEntities));
			// HAPI's synchronizer deletes duplicate stored rows first; they were kept aside (see StoredIndexRows)
			storedRows.duplicates().forEach(entityManager::remove);
			AddRemoveCount rows = parts.synchronizer().synchronizeSearchParamsToDatabase(extracted, entity, existing);
			// Not HAPI's populateResourceTableParamCollections: it puts the new rows into the entity's index
			// collections, which are the inverse side (no SQL) and leave the session with the slice, and it cost a
			// queued clear and add per collection and resource, sorted and run at every flush (4% of a full job).
			if (presenceChanged || changes(rows)) {
				changed.add(pid);
			}
		}
	}

	/**
	 * HAPI's {@code updateEntity} looks up the FHIR ids of a resource's stored link targets before extracting, so
	 * unchanged references need no lookup; it does so with one query per resource. Here it is one lookup for
	 * the whole batch, into the same {@link TransactionDetails} the extractor reads.
	 */
	private void preResolveStoredReferenceTargets(TransactionDetails transaction, Collection<StoredIndexRows.Stored> stored) {
		Map<Long, JpaPid> targets = new HashMap<>();
		stored.stream()
				.flatMap(rows -> rows.params().getResourceLinks().stream())
				.map(IndexTables::linkTarget)
				.filter(Objects::nonNull)
				.filter(pid -> transaction.getReverseResolvedId(pid) == null)
				.forEach(pid -> targets.putIfAbsent(pid.getId(), pid));
		if (targets.isEmpty()) {
			return;
		}
		BatchResources.typedFhirIds(jdbc, targets.keySet()).forEach((pid, typedId) -> transaction.addResolvedResourceId(
				parts.systemDao().getContext().getVersion().newIdType(typedId), targets.get(pid)));
	}

	/**
	 * The references no stored link resolved (a new reference parameter's, or a changed path's), looked up for the
	 * whole slice at once.
	 *
	 * <p>Why: HAPI's extractor resolves a reference it has no id for by first scanning the resource's stored links
	 * for a match ({@code findMatchingResourceLink}, a linear scan per reference: stored links times references
	 * for the resource) and then querying the target, one query per reference. A targeted job adding a reference
	 * parameter over 5,000 references of one resource so cost 5,000 queries and 25 million comparisons. A
	 * reference already in the {@link TransactionDetails} takes neither path, and yields the same link.
	 *
	 * <p>Only live targets are entered, looked up by type and id as HAPI's resolver does; a missing, deleted or
	 * malformed target is left to HAPI's own path (its placeholder, error and failure handling). With partitioning
	 * the target's partition decides what HAPI finds, so HAPI's path is kept.
	 */
	private void preResolveNewReferenceTargets(TransactionDetails transaction, Collection<Object> parsed) {
		if (parts.partitionSettings().isPartitioningEnabled()) {
			return;
		}
		var terser = parts.systemDao().getContext().newTerser();
		Map<String, Set<String>> idsByType = new HashMap<>();
		for (Object resource : parsed) {
			if (!(resource instanceof IBaseResource r)) {
				continue;
			}
			for (IBaseReference reference : terser.getAllPopulatedChildElementsOfType(r, IBaseReference.class)) {
				IIdType id = reference.getReferenceElement();
				if (id == null || id.isEmpty() || id.isLocal() || id.isAbsolute() || !id.hasResourceType()
						|| !id.hasIdPart() || transaction.getResolvedResourceId(id) != null) {
					continue;
				}
				idsByType.computeIfAbsent(id.getResourceType(), k -> new HashSet<>()).add(id.getIdPart());
			}
		}
		ResourceTables resources = new ResourceTables(jdbc);
		idsByType.forEach((type, ids) -> {
			for (List<String> page : InLists.paddedPages(ids)) {
				resources.livePidsByFhirId(type, page, ResourceTables.PartitionFilter.of(null, parts.partitionSettings()))
						.forEach((fhirId, pid) -> transaction.addResolvedResourceId(
								parts.systemDao().getContext().getVersion().newIdType(type + "/" + fhirId),
								JpaPid.fromId(pid)));
			}
		});
	}

	/** HAPI 8.8's {@code AddRemoveCount.isEmpty()} answers the opposite of its name, so the counts are read. */
	private static boolean changes(AddRemoveCount count) {
		return count.getAddCount() > 0 || count.getRemoveCount() > 0;
	}

	private static SystemRequestDetails request() {
		SystemRequestDetails request = new SystemRequestDetails();
		// what HAPI's reindex marks its request with, for interceptors that tell a reindex from an update
		HapiTexts.markAsReindex(request);
		return request;
	}

}
