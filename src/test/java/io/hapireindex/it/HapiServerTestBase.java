package io.hapireindex.it;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.testhost.HapiTestServer;
import ca.uhn.fhir.rest.api.CacheControlDirective;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.SearchParameter;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Every integration test talks to one real HAPI JPA server ({@link HapiTestServer}) over HTTP. They share
 * this base so Spring's context cache starts the server once for the whole suite.
 */
@SpringBootTest(classes = HapiTestServer.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class HapiServerTestBase {

	protected static final FhirContext FHIR = FhirContext.forR4Cached();

	@LocalServerPort
	protected int port;

	@Autowired
	protected DataSource dataSource;

	@Autowired
	protected ISearchParamRegistry searchParamRegistry;

	protected IGenericClient client;
	protected HapiDatabase db;
	/** The job API on {@link #client}; a test that replaces the client makes a new one. */
	protected JobApi jobs;

	@BeforeEach
	void connect() {
		FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		// HAPI's client gives up after 10 s; on a loaded 2-core CI machine the first CapabilityStatement takes longer
		FHIR.getRestfulClientFactory().setSocketTimeout(180_000);
		client = FHIR.newRestfulGenericClient(baseUrl());
		jobs = new JobApi(client, baseUrl(), FHIR);
		db = new HapiDatabase(new JdbcTemplate(dataSource));
	}

	protected String baseUrl() {
		return "http://localhost:" + port + "/fhir";
	}

	/** Ids and codes unique to this run, so the suite also runs against a database that is not empty. */
	protected static String unique(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	protected static final String BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";

	/** Active patients of one family, alternating gender, born in {@code city}, in one transaction; their ids. */
	protected List<String> createPatients(String family, String city, int count) {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String id = unique("p");
			Patient patient = new Patient();
			patient.setId(id);
			patient.setActive(true);
			patient.addName().setFamily(family).addGiven("G" + i);
			patient.setGender(i % 2 == 0 ? Enumerations.AdministrativeGender.FEMALE : Enumerations.AdministrativeGender.MALE);
			patient.addExtension(BIRTH_PLACE, new Address().setCity(city));
			tx.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + id);
			ids.add(id);
		}
		client.transaction().withBundle(tx).execute();
		return ids;
	}

	/**
	 * How many resources a search finds (up to 100). No-cache: HAPI reuses an identical search's results for
	 * 60 s, which would hide a reindex. A readiness warning (an entry with search mode outcome) is not a match.
	 */
	/** Patients of a new family in a new city, and the first one's index rows before a test changes anything. */
	protected record TownPatients(String city, long firstPid, List<Long> tokenRows, List<Long> stringRows) {}

	protected TownPatients createTownPatients(String familyPrefix, String cityPrefix, int count) {
		String city = unique(cityPrefix);
		List<String> ids = createPatients(unique(familyPrefix), city, count);
		long pid = db.pid("Patient", ids.get(0));
		return new TownPatients(city, pid, db.rowIds("HFJ_SPIDX_TOKEN", pid), db.rowIds("HFJ_SPIDX_STRING", pid));
	}

	protected int searchCount(String url) {
		return (int) search(url).getEntry().stream()
				.filter(e -> e.getSearch().getMode() != Bundle.SearchEntryMode.OUTCOME)
				.count();
	}

	/** The first page (up to 100) of a search, bypassing HAPI's search cache. */
	protected Bundle search(String url) {
		return client.search()
				.byUrl(url + (url.contains("?") ? "&" : "?") + "_count=100")
				.cacheControl(new CacheControlDirective().setNoCache(true))
				.returnBundle(Bundle.class)
				.execute();
	}

	/**
	 * Creates (or updates) a custom SearchParameter and makes this node use it at once. HAPI refreshes its
	 * registry after commit anyway; forcing it keeps the tests from depending on timing.
	 */
	protected SearchParameter putSearchParameter(
			String id, String code, String base, Enumerations.SearchParamType type, String expression) {
		SearchParameter sp = searchParameter(code, base, type, expression);
		sp.setId("SearchParameter/" + id);
		sp.setUrl(searchParameterUrl(id));
		client.update().resource(sp).execute();
		searchParamRegistry.forceRefresh();
		return sp;
	}

	/** An active custom SearchParameter, not stored yet; its URL ends in its code. */
	protected static SearchParameter searchParameter(
			String code, String base, Enumerations.SearchParamType type, String expression) {
		SearchParameter sp = new SearchParameter();
		sp.setUrl(searchParameterUrl(code));
		sp.setName(code);
		sp.setCode(code);
		sp.addBase(base);
		sp.setType(type);
		sp.setExpression(expression);
		sp.setStatus(Enumerations.PublicationStatus.ACTIVE);
		sp.setDescription("test parameter " + code);
		return sp;
	}

	protected static String searchParameterUrl(String idOrCode) {
		return "http://example.org/fhir/SearchParameter/" + idOrCode;
	}
}
