package io.hapireindex.hapi;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractorSvc;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.jpa.searchparam.extractor.SearchParamExtractorService;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.beans.factory.BeanFactory;

/**
 * HAPI's search parameter extraction service ({@code extractFromResource}), whichever type the running HAPI gives
 * it. HAPI 8.8 put it behind the interface {@code ISearchParamExtractorSvc}; up to 8.6 only the class
 * {@link SearchParamExtractorService} exists, with the same method. The interface is referenced only from
 * {@link ViaInterface}, which the JVM loads only where the interface exists.
 */
public final class SearchParamExtraction {

	/** {@code extractFromResource}, with HAPI's parameters. */
	@FunctionalInterface
	private interface Extractor {
		void extract(
				RequestPartitionId partition,
				RequestDetails request,
				ResourceIndexedSearchParams params,
				ResourceIndexedSearchParams existingParams,
				ResourceTable entity,
				IBaseResource resource,
				TransactionDetails transaction,
				boolean failOnInvalidReference,
				ISearchParamExtractor.ISearchParamFilter filter);
	}

	static final String INTERFACE_NAME = "ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractorSvc";

	private final Extractor extractor;
	private final String via;

	private SearchParamExtraction(Extractor extractor, String via) {
		this.extractor = extractor;
		this.via = via;
	}

	/** The service from the host's context, through the type this HAPI version declares. */
	public static SearchParamExtraction from(BeanFactory beans) {
		if (HapiVersion.hasClass(INTERFACE_NAME)) {
			return ViaInterface.from(beans);
		}
		SearchParamExtractorService service = beans.getBean(SearchParamExtractorService.class);
		return new SearchParamExtraction(service::extractFromResource, SearchParamExtractorService.class.getName());
	}

	/** HAPI 8.8 and later. */
	private static final class ViaInterface {
		static SearchParamExtraction from(BeanFactory beans) {
			ISearchParamExtractorSvc service = beans.getBean(ISearchParamExtractorSvc.class);
			return new SearchParamExtraction(service::extractFromResource, INTERFACE_NAME);
		}
	}

	/** HAPI's {@code extractFromResource}: the rows of every (or the filtered) search parameter of the resource. */
	public void extractFromResource(
			RequestPartitionId partition,
			RequestDetails request,
			ResourceIndexedSearchParams params,
			ResourceIndexedSearchParams existingParams,
			ResourceTable entity,
			IBaseResource resource,
			TransactionDetails transaction,
			boolean failOnInvalidReference,
			ISearchParamExtractor.ISearchParamFilter filter) {
		extractor.extract(partition, request, params, existingParams, entity, resource, transaction,
				failOnInvalidReference, filter);
	}

	/** The HAPI type the service is called through (for the startup log). */
	public String via() {
		return via;
	}
}
