package io.hapireindex.demo;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.FhirVersionEnum;
import ca.uhn.fhir.util.BundleUtil;
import ca.uhn.fhir.rest.api.CacheControlDirective;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;
import org.hl7.fhir.r4.model.SearchParameter;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.List;

/**
 * Loads the demo sample over HTTP, as any client would, then creates a custom SearchParameter the data predates.
 *
 * <p>The sample ({@link DemoBundles}): 40 patients {@code Patient/demo-1..demo-40}, each with an Encounter, a
 * Condition and four vital-sign Observations (280 resources). Fourteen patients carry the
 * {@code patient-birthPlace} extension; {@code Patient/demo-1}, {@code demo-13}, {@code demo-25} and
 * {@code demo-37} were born in Boston. The SearchParameter {@code birthplace} is created after the data, so
 * {@code Patient?birthplace=Boston} finds nothing until the patients are reindexed.
 */
final class DemoData {

	static final String SEARCH_PARAMETER_ID = "patient-birthplace";
	static final String SEARCH_PARAMETER_URL = "http://example.org/fhir/SearchParameter/patient-birthplace";
	static final String BOSTON_PATIENT = "demo-1";

	private DemoData() {}

	/** Loads the sample into a server of {@code version}: the R4 sample converted to that version. */
	@SuppressWarnings("unchecked")
	static void load(ConfigurableApplicationContext context, String base, FhirVersionEnum version) {
		FhirContext fhir = FhirContext.forCached(version);
		Class<IBaseBundle> bundleClass = (Class<IBaseBundle>) fhir.getResourceDefinition("Bundle").getImplementingClass();
		fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		fhir.getRestfulClientFactory().setSocketTimeout(120_000);
		IGenericClient client = fhir.newRestfulGenericClient(base);

		int stored = 0;
		List<Bundle> transactions = DemoBundles.transactions(10);
		for (Bundle transaction : transactions) {
			IBaseBundle response = client.transaction()
					.withBundle((IBaseBundle) DemoVersions.toVersion(transaction, version))
					.execute();
			stored += BundleUtil.toListOfEntries(fhir, response).size();
		}

		client.update().resource(DemoVersions.toVersion(birthplaceSearchParameter(), version)).execute();
		// The registry refreshes on its own schedule; refresh now so the parameter is usable at once.
		context.getBean(ISearchParamRegistry.class).forceRefresh();

		IBaseBundle missing = client.search()
				.byUrl("Patient?birthplace=Boston")
				.cacheControl(new CacheControlDirective().setNoCache(true))
				.returnBundle(bundleClass)
				.execute();

		// the readiness warning entry (search mode outcome) is not a match
		int found = (int) BundleUtil.getSearchBundleEntryParts(fhir, missing).stream()
				.filter(e -> e.getSearchMode() != BundleEntrySearchModeEnum.OUTCOME)
				.count();
		printTryIt(base, version, stored, transactions.size(), found);
	}

	static SearchParameter birthplaceSearchParameter() {
		SearchParameter sp = new SearchParameter();
		sp.setId(SEARCH_PARAMETER_ID);
		sp.setUrl(SEARCH_PARAMETER_URL);
		sp.setName("birthplace");
		sp.setStatus(PublicationStatus.ACTIVE);
		sp.setDescription("City of the patient's birth place (patient-birthPlace extension)");
		sp.setCode("birthplace");
		sp.addBase("Patient");
		sp.setType(SearchParamType.STRING);
		sp.setExpression("Patient.extension('" + DemoBundles.BIRTH_PLACE_URL + "').value.as(Address).city");
		return sp;
	}

	private static void printTryIt(String base, FhirVersionEnum version, int stored, int transactions, int foundBeforeReindex) {
		String patient = base + "/Patient/" + BOSTON_PATIENT;
		// HAPI reuses a search's cached result for 60 s by default (JpaStorageSettings
		// reuseCachedSearchResultsForMillis), so step 4 would repeat step 1's empty answer without this header.
		String search = "-H 'Cache-Control: no-cache' '" + base + "/Patient?birthplace=Boston'";
		String text = String.join("\n",
				"",
				"================================================================================",
				" hapi-fhir-reindex demo: " + base + " (FHIR " + version.name() + ")",
				" Loaded " + stored + " resources in " + transactions + " transactions: Patient/demo-1 .. demo-"
						+ DemoBundles.PATIENTS + ", each with",
				" Encounter/demo-N-enc, Condition/demo-N-cond, Observation/demo-N-hr|weight|height|temp.",
				" Then created SearchParameter/" + SEARCH_PARAMETER_ID + " (code 'birthplace', " + SEARCH_PARAMETER_URL + ").",
				" The data predates it: patients born in Boston (demo-1, demo-13, demo-25, demo-37) are not",
				" indexed for it yet.",
				"",
				" 1. Search by the new parameter: finds " + foundBeforeReindex + " patient(s) now",
				"    curl -s " + search,
				"",
				" 2. What a reindex of " + BOSTON_PATIENT + " would add for 'birthplace' (writes nothing)",
				"    curl -s '" + patient + "/$reindex-dryrun?code=birthplace'",
				"",
				" 3. Reindex " + BOSTON_PATIENT + " now (returns the diff of every index row)",
				"    curl -s -X POST '" + patient + "/$reindex'",
				"",
				" 4. The same search: now finds Patient/" + BOSTON_PATIENT + " (the other Boston patients are",
				"    not reindexed yet)",
				"    curl -s " + search,
				"    (no-cache: HAPI would otherwise answer with step 1's cached result for 60 s)",
				"",
				" 5. Reindex every Patient as a batch2 job; the answer's Content-Location is the job",
				"    curl -s -i -X POST '" + base + "/Patient/$reindex'",
				"",
				" 6. Watch the jobs (status, counts, rate); DELETE one to cancel, POST .../{id}/$restart to restart",
				"    curl -s '" + base + "/_operations/reindex'",
				"    or open the admin page in a browser (every batch job, start/cancel/restart, live):",
				"    " + base + "/reindex-admin/",
				"",
				" 7. The same search: now finds all four Boston patients",
				"    curl -s " + search,
				"",
				" 8. CapabilityStatement (large), then the module's two OperationDefinitions (HAPI merges the",
				"    server, type and instance $reindex into one)",
				"    curl -s '" + base + "/metadata'",
				"    curl -s '" + base + "/OperationDefinition/Global-its-reindex'",
				"    curl -s '" + base + "/OperationDefinition/Global-i-reindex-dryrun'",
				"================================================================================",
				"");
		System.out.println(text);
	}
}
