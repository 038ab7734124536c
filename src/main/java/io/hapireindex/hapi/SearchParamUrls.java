package io.hapireindex.hapi;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The canonical URL of a parameter in HAPI's search parameter registry, the key targeted jobs and readiness use.
 *
 * <p>HAPI's canonicalizer copies {@code SearchParameter.url} into {@link RuntimeSearchParam#getUri()} from R4 on,
 * but on DSTU3 it gives every parameter made from a stored SearchParameter the uri "" (8.4 to 8.8). There the URL
 * is read from the stored resource the registry names in the parameter's id, so a DSTU3 parameter is keyed by the
 * same {@code url} a client sent and the module's change listener saw, as on R4.
 */
public class SearchParamUrls {

	private static final Logger LOG = LoggerFactory.getLogger(SearchParamUrls.class);
	/** Versions of SearchParameters are immutable, so their URLs stay; the registry holds a few hundred at most. */
	private static final int MAX_CACHED = 10_000;

	private final DaoRegistry daoRegistry;
	private final Map<String, String> urlByVersionedId = new ConcurrentHashMap<>();

	public SearchParamUrls(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	/** The parameter's canonical URL; null when it has none (a built-in without one, a resource read that failed). */
	public String url(RuntimeSearchParam sp) {
		String uri = sp.getUri();
		if (uri != null && !uri.isBlank()) {
			return uri;
		}
		IIdType id = sp.getId();
		if (id == null || !id.hasIdPart() || !daoRegistry.isResourceTypeSupported("SearchParameter")) {
			return null;
		}
		String key = id.hasVersionIdPart() ? "SearchParameter/" + id.getIdPart() + "/_history/" + id.getVersionIdPart() : null;
		if (key != null) {
			String cached = urlByVersionedId.get(key);
			if (cached != null) {
				return cached;
			}
		}
		String url = readUrl(id);
		if (key != null && url != null && urlByVersionedId.size() < MAX_CACHED) {
			urlByVersionedId.put(key, url);
		}
		return url;
	}

	private String readUrl(IIdType id) {
		IFhirResourceDao<?> dao = daoRegistry.getResourceDao("SearchParameter");
		IIdType toRead = dao.getContext().getVersion().newIdType()
				.setParts(null, "SearchParameter", id.getIdPart(), id.getVersionIdPart());
		try {
			IBaseResource resource = dao.read(toRead, new SystemRequestDetails());
			return dao.getContext().newTerser().getSinglePrimitiveValueOrNull(resource, "url");
		} catch (RuntimeException e) {
			// deleted or expunged since the registry loaded it: it is no parameter any more
			LOG.debug("Could not read the URL of {}: {}", toRead.getValue(), e.toString());
			return null;
		}
	}
}
