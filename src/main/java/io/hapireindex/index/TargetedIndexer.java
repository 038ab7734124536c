package io.hapireindex.index;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.cache.ISearchParamIdentityCacheSvc;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.index.DaoSearchParamSynchronizer;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.jpa.searchparam.extractor.SearchParamExtractionUtil;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.SearchParamExtraction;
import io.hapireindex.hapi.IndexTables;
import io.hapireindex.hapi.Partitions;
import io.hapireindex.hapi.SearchParamUrls;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hl7.fhir.instance.model.api.IBaseResource;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Recomputes the index rows of some search parameters of resources and leaves every other row alone.
 *
 * <p>Why not HAPI's reindex: it re-extracts every parameter of the resource, so adding one SearchParameter
 * costs a full re-extraction of its base types. Here HAPI's extractor runs for the named parameters only, the
 * stored rows of all other parameters are not even read, and the difference is written as HAPI's
 * {@link DaoSearchParamSynchronizer} writes it, so the rows are the ones HAPI would write for those parameters.
 *
 * <p>Only value parameters are done this way. Reference and composite parameters feed resource links and
 * combo indexes shared between parameters; for those {@link #targetNames} answers null and the caller uses
 * HAPI's full reindex.
 */
public class TargetedIndexer {

	private static final Set<RestSearchParameterTypeEnum> ROW_ONLY = Set.of(
			RestSearchParameterTypeEnum.STRING,
			RestSearchParameterTypeEnum.TOKEN,
			RestSearchParameterTypeEnum.DATE,
			RestSearchParameterTypeEnum.NUMBER,
			RestSearchParameterTypeEnum.QUANTITY,
			RestSearchParameterTypeEnum.URI,
			RestSearchParameterTypeEnum.SPECIAL);

	private final SearchParamExtraction extractor;
	private final ISearchParamIdentityCacheSvc identityCache;
	private final ISearchParamRegistry searchParamRegistry;
	private final SearchParamUrls searchParamUrls;
	private final PartitionSettings partitionSettings;
	private final EntityManager entityManager;
	private final JdbcTemplate jdbc;
	private final IndexingParser indexingParser;
	private final JpaStorageSettings storageSettings;
	private final SearchParamExtractionUtil valueExtraction;

	/**
	 * HAPI's building blocks this needs; a record keeps the constructor readable, and Spring builds it from the beans
	 * it names.
	 */
	@Component("hapiFhirReindexTargetedIndexerParts")
	public record Parts(
			IFhirSystemDao<?, ?> systemDao,
			IJpaStorageResourceParser resourceParser,
			SearchParamExtraction extractor,
			ISearchParamIdentityCacheSvc identityCache,
			ISearchParamRegistry searchParamRegistry,
			PartitionSettings partitionSettings,
			JpaStorageSettings storageSettings,
			ISearchParamExtractor valueExtractor,
			IInterceptorBroadcaster interceptors,
			EntityManagerFactory entityManagerFactory,
			DataSource dataSource,
			SearchParamUrls searchParamUrls) {}

	public TargetedIndexer(Parts parts) {
		this.extractor = parts.extractor();
		this.identityCache = parts.identityCache();
		this.searchParamRegistry = parts.searchParamRegistry();
		this.searchParamUrls = parts.searchParamUrls();
		this.partitionSettings = parts.partitionSettings();
		this.entityManager = SharedEntityManagerCreator.createSharedEntityManager(parts.entityManagerFactory());
		this.jdbc = new JdbcTemplate(parts.dataSource());
		this.indexingParser = new IndexingParser(parts.resourceParser(), parts.searchParamRegistry());
		this.storageSettings = parts.storageSettings();
		this.valueExtraction = new SearchParamExtractionUtil(
				parts.systemDao().getContext(), parts.storageSettings(), parts.valueExtractor(), parts.interceptors());
	}

	/**
	 * The names, on this type, of the parameters with these canonical URLs; null when one of them cannot be
	 * recomputed on its own (reference, composite) or none applies, so the caller must reindex in full.
	 */
	public Set<String> targetNames(String resourceType, List<String> searchParameterUrls) {
		if (searchParameterUrls.isEmpty()) {
			return null;
		}
		Set<String> names = new TreeSet<>();
		for (RuntimeSearchParam sp : searchParamRegistry
				.getActiveSearchParams(resourceType, ISearchParamRegistry.SearchParamLookupContextEnum.ALL)
				.values()) {
			String url = searchParamUrls.url(sp);
			if (url != null && searchParameterUrls.contains(url)) {
				if (!ROW_ONLY.contains(sp.getParamType())) {
					return null;
				}
				names.add(sp.getName());
			}
		}
		return names.isEmpty() ? null : names;
	}

	/**
	 * Recomputes the named parameters' rows of a batch of resources of one type, in the caller's transaction.
	 *
	 * <p>Why not one resource at a time through HAPI's synchronizer: that needs every index collection of the
	 * resource in the session (eight lazy loads per resource, or HAPI's prefetch of every index table), and
	 * Hibernate then dirty-checks all those rows at commit, though only one parameter's rows can change. Here
	 * the batch's resources are prefetched without their indexes, the stored rows of just the named
	 * parameters are read with one query per index table, and only the difference is written, with the same
	 * hash calculation, identity registration and duplicate clean-up as HAPI's {@link DaoSearchParamSynchronizer}.
	 *
	 * @param optimisticLock fail (so the caller retries) if a resource got a new version meanwhile, rather than
	 *                       writing rows extracted from the old one
	 * @param pace           run before each resource and each of the batch's queries (a worker stepping aside for requests)
	 * @return the pids of the resources that had a row added or removed
	 */
	public Set<Long> reindexBatch(
			String resourceType, Collection<Long> pids, Set<String> names, boolean optimisticLock, Runnable pace) {
		Map<Long, ResourceTable> entities = BatchResources.load(entityManager, pids);
		pace.run();
		StoredRows stored = new StoredRows(entityManager, jdbc, pids, identityHashes(resourceType, names, entities.values()));

		Set<Long> changed = new HashSet<>();
		UnaryOperator<String> cut = textCut(resourceType, names);
		for (ResourceTable entity : entities.values()) {
			pace.run();
			IBaseResource resource = indexingParser.parse(entity, cut);
			ResourceIndexedSearchParams extracted = extract(entity, resource, names);
			long pid = entity.getId().getId();
			int rows = 0;
			for (IndexTables.Table<? extends BaseResourceIndexedSearchParam> table : IndexTables.SEARCH_PARAMS) {
				rows += syncTable(entity, extracted, names, stored, table);
			}
			if (rows > 0) {
				changed.add(pid);
			}
		}
		if (optimisticLock) {
			pace.run();
			BatchResources.requireUnchanged(
					jdbc, entities.values().stream().map(BatchResources.ReadVersion::of).toList());
		}
		return changed;
	}

	/** What of the stored text the named parameters need parsed: the members they name, or all but narratives. */
	private UnaryOperator<String> textCut(String resourceType, Set<String> names) {
		Set<String> members = indexingParser.membersReadBy(resourceType, names);
		if (members != null) {
			return json -> IndexingParser.keepMembers(json, members);
		}
		return indexingParser.narrativeUnused(resourceType) ? IndexingParser::withoutNarrative : null;
	}

	/**
	 * The named parameters' values. With value parameters only, HAPI's own {@link SearchParamExtractionUtil} is
	 * all of {@link SearchParamExtraction#extractFromResource} that matters: the service would also evaluate
	 * every reference parameter of the resource for its links and the combo parameters, only for those to be
	 * thrown away here (profiled: about half of a targeted job). Contained-resource and uplifted-chain indexing
	 * add rows under other names, so with those settings on the service itself runs.
	 */
	private ResourceIndexedSearchParams extract(ResourceTable entity, IBaseResource resource, Set<String> names) {
		ResourceIndexedSearchParams extracted = ResourceIndexedSearchParams.withSets();
		ISearchParamExtractor.ISearchParamFilter filter =
				params -> params.stream().filter(p -> names.contains(p.getName())).collect(Collectors.toSet());
		if (storageSettings.isIndexOnContainedResources() || storageSettings.isIndexOnUpliftedRefchains()) {
			extractor.extractFromResource(
					Partitions.storedPartition(entity),
					new SystemRequestDetails(),
					extracted,
					ResourceIndexedSearchParams.withSets(),
					entity,
					resource,
					new TransactionDetails(),
					false,
					filter);
			return extracted;
		}
		valueExtraction.extractSearchIndexParameters(new SystemRequestDetails(), extracted, resource, filter);
		// as HAPI's service does before writing: the rows belong to this resource
		for (IndexTables.Table<? extends BaseResourceIndexedSearchParam> table : IndexTables.SEARCH_PARAMS) {
			for (BaseResourceIndexedSearchParam row : table.rowsIn().apply(extracted)) {
				if (row.getResourcePid() == null) {
					row.setResource(entity);
				}
			}
		}
		return extracted;
	}

	private <T extends BaseResourceIndexedSearchParam> int syncTable(ResourceTable entity,
			ResourceIndexedSearchParams extracted, Set<String> names, StoredRows stored, IndexTables.Table<T> table) {
		return sync(entity, table.rowsIn().apply(extracted), names, stored.of(table, entity.getId().getId()),
				table.setFlag());
	}

	/**
	 * Writes the difference between a resource's stored and freshly extracted rows of one index table.
	 *
	 * @return how many rows were added or removed
	 */
	private <T extends BaseResourceIndexedSearchParam> int sync(
			ResourceTable entity,
			Collection<T> extracted,
			Set<String> names,
			List<T> stored,
			BiConsumer<ResourceTable, Boolean> populated) {
		Set<T> wanted = new HashSet<>();
		for (T next : extracted) {
			if (names.contains(next.getParamName())) {
				next.setResourceId(entity.getId().getId());
				next.setPartitionId(entity.getPartitionId());
				next.calculateHashes();
				wanted.add(next);
			}
		}
		Set<T> kept = new HashSet<>();
		int changes = 0;
		for (T next : stored) {
			next.setPlaceholderHashesIfMissing();
			// a duplicate or stale row goes; HAPI's synchronizer drops duplicates too
			if (!kept.add(next) || !wanted.contains(next)) {
				entityManager.remove(next);
				changes++;
			}
		}
		for (T next : wanted) {
			if (!kept.contains(next)) {
				identityCache.findOrCreateSearchParamIdentity(
						next.getHashIdentity(), next.getResourceType(), next.getParamName());
				entityManager.persist(next);
				changes++;
			}
		}
		// HAPI reads a resource's rows of a table only when its flag says there are some. A flag left true
		// with no rows costs HAPI one empty query, so it is set here but never cleared.
		if (!wanted.isEmpty()) {
			populated.accept(entity, true);
		}
		return changes;
	}

	/** The identity hashes of the named parameters in every partition the batch's resources are in. */
	private Set<Long> identityHashes(String resourceType, Set<String> names, Collection<ResourceTable> entities) {
		Set<Long> hashes = new HashSet<>();
		entities.stream().map(ResourceTable::getPartitionId).distinct().forEach(partition -> names.forEach(name ->
				hashes.add(BaseResourceIndexedSearchParam.calculateHashIdentity(
						partitionSettings, partition, resourceType, name))));
		return hashes;
	}


	/**
	 * The stored rows of some parameters of a batch of resources, read once per index table that has any.
	 *
	 * <p>Why the probe: a new parameter has no rows yet, and each entity query costs Hibernate a translation of
	 * a 500-value IN list (8% of a targeted job, profiled); one plain SQL query finds the tables worth reading.
	 */
	private static final class StoredRows {
		private final EntityManager entityManager;
		private final JdbcTemplate jdbc;
		/** The batch's pids and the parameters' identity hashes, padded once for every table's queries. */
		private final List<Long> pids;
		private final List<Long> hashes;
		private final Map<String, Boolean> tablesWithRows = new HashMap<>();
		private final Map<Class<?>, Map<Long, List<BaseResourceIndexedSearchParam>>> byTable = new HashMap<>();

		StoredRows(EntityManager entityManager, JdbcTemplate jdbc, Collection<Long> pids, Set<Long> hashes) {
			this.entityManager = entityManager;
			this.jdbc = jdbc;
			this.pids = InLists.padded(pids);
			this.hashes = InLists.padded(hashes);
		}

		@SuppressWarnings("unchecked")
		<T extends BaseResourceIndexedSearchParam> List<T> of(IndexTables.Table<T> table, long pid) {
			if (!hasRows(table)) {
				return List.of();
			}
			Map<Long, List<BaseResourceIndexedSearchParam>> rows =
					byTable.computeIfAbsent(table.entity(), k -> load(table));
			return (List<T>) (List<?>) rows.getOrDefault(pid, List.of());
		}

		/** One plain query per table (a batch may have 5,000 pids: too many parameters for one UNION on PostgreSQL). */
		private boolean hasRows(IndexTables.Table<? extends BaseResourceIndexedSearchParam> table) {
			return tablesWithRows.computeIfAbsent(
					table.sqlName(), name -> IndexTables.hasRowsWithHashes(jdbc, table, pids, hashes));
		}

		private Map<Long, List<BaseResourceIndexedSearchParam>> load(
				IndexTables.Table<? extends BaseResourceIndexedSearchParam> table) {
			Map<Long, List<BaseResourceIndexedSearchParam>> rows = new HashMap<>();
			IndexTables.storedRowsWithHashes(entityManager, table, pids, hashes)
					.forEach(row -> rows.computeIfAbsent(row.getResourcePid(), k -> new ArrayList<>()).add(row));
			return rows;
		}
	}
}
