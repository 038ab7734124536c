package io.hapireindex.index;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.data.IResourceTableDao;
import ca.uhn.fhir.jpa.dao.index.DaoSearchParamSynchronizer;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractorSvc;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.jpa.util.AddRemoveCount;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Recomputes the index rows of some search parameters of a resource and leaves every other row alone.
 *
 * <p>Why not HAPI's reindex: it re-extracts every parameter of the resource, so adding one SearchParameter
 * costs a full re-extraction of its base types. Here HAPI's extractor runs for the named parameters only, the
 * stored rows of all other parameters are kept as they are, and HAPI's own {@link DaoSearchParamSynchronizer}
 * writes the difference, so the rows written are the ones HAPI would write for those parameters.
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

	private final IResourceTableDao resourceTableDao;
	private final IJpaStorageResourceParser resourceParser;
	private final ISearchParamExtractorSvc extractor;
	private final DaoSearchParamSynchronizer synchronizer;
	private final ISearchParamRegistry searchParamRegistry;
	private final JdbcTemplate jdbc;

	public TargetedIndexer(
			IResourceTableDao resourceTableDao,
			IJpaStorageResourceParser resourceParser,
			ISearchParamExtractorSvc extractor,
			DaoSearchParamSynchronizer synchronizer,
			ISearchParamRegistry searchParamRegistry,
			DataSource dataSource) {
		this.resourceTableDao = resourceTableDao;
		this.resourceParser = resourceParser;
		this.extractor = extractor;
		this.synchronizer = synchronizer;
		this.searchParamRegistry = searchParamRegistry;
		this.jdbc = new JdbcTemplate(dataSource);
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
			if (sp.getUri() != null && searchParameterUrls.contains(sp.getUri())) {
				if (!ROW_ONLY.contains(sp.getParamType())) {
					return null;
				}
				names.add(sp.getName());
			}
		}
		return names.isEmpty() ? null : names;
	}

	/**
	 * Runs in the caller's transaction.
	 *
	 * @param optimisticLock fail (so the caller retries) if the resource got a new version meanwhile, rather than
	 *                       writing rows extracted from the old one
	 * @return whether any row was added or removed
	 */
	public boolean reindex(long pid, Set<String> names, boolean optimisticLock) {
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
				params -> params.stream().filter(p -> names.contains(p.getName())).collect(Collectors.toSet()));

		ResourceIndexedSearchParams merged = ResourceIndexedSearchParams.withSets();
		keep(stored.myStringParams, extracted.myStringParams, merged.myStringParams, names);
		keep(stored.myTokenParams, extracted.myTokenParams, merged.myTokenParams, names);
		keep(stored.myNumberParams, extracted.myNumberParams, merged.myNumberParams, names);
		keep(stored.myQuantityParams, extracted.myQuantityParams, merged.myQuantityParams, names);
		keep(stored.myQuantityNormalizedParams, extracted.myQuantityNormalizedParams, merged.myQuantityNormalizedParams, names);
		keep(stored.myDateParams, extracted.myDateParams, merged.myDateParams, names);
		keep(stored.myUriParams, extracted.myUriParams, merged.myUriParams, names);
		keep(stored.myCoordsParams, extracted.myCoordsParams, merged.myCoordsParams, names);
		merged.myLinks.addAll(stored.myLinks);
		merged.myComboStringUniques.addAll(stored.myComboStringUniques);
		merged.myComboTokenNonUnique.addAll(stored.myComboTokenNonUnique);

		AddRemoveCount count = synchronizer.synchronizeSearchParamsToDatabase(merged, entity, stored);
		merged.populateResourceTableSearchParamsPresentFlags(entity);
		merged.populateResourceTableParamCollections(entity);

		if (optimisticLock) {
			Long version = jdbc.queryForObject("SELECT RES_VER FROM HFJ_RESOURCE WHERE RES_ID = ?", Long.class, pid);
			if (version == null || version != entity.getVersion()) {
				throw new ResourceVersionConflictException(
						"Resource " + entity.getIdDt().toUnqualifiedVersionless().getValue() + " changed while it was reindexed");
			}
		}
		return count.getAddCount() > 0 || count.getRemoveCount() > 0;
	}

	/** The stored rows of the other parameters, plus the freshly extracted rows of the named ones. */
	private static <T extends BaseResourceIndexedSearchParam> void keep(
			Collection<T> stored, Collection<T> extracted, Collection<T> merged, Set<String> names) {
		stored.stream().filter(p -> !names.contains(p.getParamName())).forEach(merged::add);
		extracted.stream().filter(p -> names.contains(p.getParamName())).forEach(merged::add);
	}

	private static RequestPartitionId partitionOf(ResourceTable entity) {
		if (entity.getPartitionId() == null || entity.getPartitionId().getPartitionId() == null) {
			return RequestPartitionId.defaultPartition();
		}
		return RequestPartitionId.fromPartitionId(
				entity.getPartitionId().getPartitionId(), entity.getPartitionId().getPartitionDate());
	}
}
