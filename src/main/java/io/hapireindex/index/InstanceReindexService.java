package io.hapireindex.index;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.ReindexOutcome;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.util.StopWatch;
import io.hapireindex.hapi.SearchParamExtraction;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Instance-level {@code $reindex} and {@code $reindex-dryrun}.
 *
 * <p>The write path is HAPI's own {@link IFhirResourceDao#reindex}, so what is stored is exactly what HAPI
 * would store (no new version, no lastUpdated change). What this class adds is an honest report: the rows
 * are copied before the reindex and read back from the database afterwards, in a fresh transaction.
 */
@Component("hapiFhirReindexInstanceService")
public class InstanceReindexService {

	private static final Logger LOG = LoggerFactory.getLogger(InstanceReindexService.class);

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final IHapiTransactionService transactionService;
	private final IRequestPartitionHelperSvc partitionHelper;
	private final SearchParamExtraction extractor;
	private final IJpaStorageResourceParser resourceParser;
	private final ISearchParamRegistry searchParamRegistry;
	private final IndexRowMapper rowMapper;

	public InstanceReindexService(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			IHapiTransactionService transactionService,
			IRequestPartitionHelperSvc partitionHelper,
			SearchParamExtraction extractor,
			IJpaStorageResourceParser resourceParser,
			ISearchParamRegistry searchParamRegistry,
			IndexRowMapper rowMapper) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.transactionService = transactionService;
		this.partitionHelper = partitionHelper;
		this.extractor = extractor;
		this.resourceParser = resourceParser;
		this.searchParamRegistry = searchParamRegistry;
		this.rowMapper = rowMapper;
	}

	/** Reindexes one resource now and reports every row as ADD, REMOVE or NO_CHANGE. */
	public IBaseParameters reindex(RequestDetails request, IIdType id) {
		StopWatch sw = new StopWatch();
		RequestPartitionId partition = partitionHelper.determineReadPartitionForRequestForRead(request, id);
		IFhirResourceDao<?> dao = daoRegistry.getResourceDao(id.getResourceType());
		// read() applies HAPI's partition, authorization and 404/410 rules before anything is written
		dao.read(id.toUnqualifiedVersionless(), request);

		List<String> warnings = new ArrayList<>();
		List<IndexRow> before = inTransaction(request, partition, () -> {
			ResourceTable entity = (ResourceTable) dao.readEntity(id.toUnqualifiedVersionless(), request);
			List<IndexRow> rows = storedRows(entity);
			ReindexOutcome outcome =
					dao.reindex(entity.getPersistentId(), new ReindexParameters(), request, new TransactionDetails());
			warnings.addAll(outcome.getWarnings());
			return rows;
		});
		List<IndexRow> after = inTransaction(request, partition, () -> storedRows(
				(ResourceTable) dao.readEntity(id.toUnqualifiedVersionless(), request)));

		IndexDiff diff = IndexDiff.between(before, after);
		List<String> messages = new ArrayList<>();
		messages.add("Reindex completed in " + sw + ": " + summary(diff) + ".");
		warnings.forEach(w -> messages.add("WARNING: " + w));
		LOG.info("Instance $reindex of {}: {}", id.toUnqualifiedVersionless().getValue(), summary(diff));
		return IndexReport.toParameters(fhirContext, diff, messages);
	}

	/**
	 * Computes what {@link #reindex} would change, writing nothing.
	 *
	 * @param codes search parameter names to restrict the report to, or empty for all
	 */
	public IBaseParameters dryRun(RequestDetails request, IIdType id, Set<String> codes) {
		StopWatch sw = new StopWatch();
		validateCodes(id.getResourceType(), codes);
		RequestPartitionId partition = partitionHelper.determineReadPartitionForRequestForRead(request, id);
		IFhirResourceDao<?> dao = daoRegistry.getResourceDao(id.getResourceType());
		dao.read(id.toUnqualifiedVersionless(), request);

		IndexDiff diff = inTransaction(request, partition, () -> {
			ResourceTable entity = (ResourceTable) dao.readEntity(id.toUnqualifiedVersionless(), request);
			IBaseResource resource = resourceParser.toResource(entity, false);
			ResourceIndexedSearchParams extracted = ResourceIndexedSearchParams.withSets();
			extractor.extractFromResource(
					partition,
					request,
					extracted,
					ResourceIndexedSearchParams.empty(),
					entity,
					resource,
					new TransactionDetails(),
					false,
					ISearchParamExtractor.ALL_PARAMS);
			List<IndexRow> wanted = rowMapper.toRows(extracted, entity.getResourceType(), entity.getPartitionId());
			return IndexDiff.between(storedRows(entity), wanted);
		});
		if (!codes.isEmpty()) {
			diff = diff.restrictTo(row -> codes.contains(row.paramName()));
		}
		String message = "Reindex dry-run completed in " + sw + ": " + summary(diff)
				+ ". No changes were committed to any stored data.";
		return IndexReport.toParameters(fhirContext, diff, List.of(message));
	}

	private void validateCodes(String resourceType, Set<String> codes) {
		Set<String> known = new TreeSet<>(searchParamRegistry
				.getActiveSearchParams(resourceType, ISearchParamRegistry.SearchParamLookupContextEnum.ALL)
				.getSearchParamNames());
		Set<String> unknown = codes.stream().filter(c -> !known.contains(c)).collect(Collectors.toCollection(TreeSet::new));
		if (!unknown.isEmpty()) {
			throw new InvalidRequestException("Parameter 'code': " + unknown + " is not an active search parameter of "
					+ resourceType + ". Allowed values: " + known);
		}
	}

	private List<IndexRow> storedRows(ResourceTable entity) {
		ResourceIndexedSearchParams stored = ResourceIndexedSearchParams.withLists(entity);
		stored.mySearchParamPresentEntities.addAll(entity.getSearchParamPresents());
		return rowMapper.toRows(stored, entity.getResourceType(), entity.getPartitionId());
	}

	private <T> T inTransaction(RequestDetails request, RequestPartitionId partition, java.util.concurrent.Callable<T> work) {
		return transactionService
				.withRequest(request)
				.withRequestPartitionId(partition)
				.execute(work);
	}

	private static String summary(IndexDiff diff) {
		return diff.count(IndexAction.ADD) + " added, " + diff.count(IndexAction.REMOVE) + " removed, "
				+ diff.count(IndexAction.NO_CHANGE) + " unchanged";
	}


}
