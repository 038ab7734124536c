package io.hapireindex.testhost;

import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.model.entity.NormalizedQuantitySearchLevel;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import org.springframework.core.env.Environment;

import java.util.Properties;

/**
 * {@code test.host-profile=starter}: the test host configured as the official {@code hapi-fhir-jpaserver-starter}
 * 8.8.0-1 is out of the box, in what bears on reindexing, so a benchmark figure holds for the server users run.
 *
 * <p>Read from the starter's {@code application.yaml}, {@code AppProperties} (the defaults of {@code hapi.fhir.*}),
 * {@code FhirServerConfigCommon} (which copies them into {@link JpaStorageSettings}) and {@code EnvironmentHelper}
 * (Hibernate properties: HAPI's {@code HapiFhirLocalContainerEntityManagerFactoryBean} defaults first, then the
 * starter's, each only where nothing is set yet). The list is in docs/benchmarks.md.
 */
public final class StarterProfile {

	/** Hikari's {@code maximum-pool-size} in the starter's application.yaml. */
	static final int POOL_SIZE = 10;

	private StarterProfile() {}

	static boolean active(Environment env) {
		return "starter".equals(env.getProperty("test.host-profile", "test"));
	}

	/**
	 * Hibernate as the starter ends up with: HAPI's defaults win over the starter's own batch size of 20, because
	 * {@code EnvironmentHelper} applies them first and both only fill in what is missing.
	 */
	static void hibernate(Properties jpa) {
		jpa.put("hibernate.jdbc.batch_size", "30");
		jpa.put("hibernate.order_inserts", "true");
		jpa.put("hibernate.order_updates", "true");
		jpa.put("hibernate.jdbc.batch_versioned_data", "true");
		jpa.put("hibernate.cache.use_query_cache", "false");
		jpa.put("hibernate.cache.use_second_level_cache", "false");
		jpa.put("hibernate.cache.use_structured_entries", "false");
		jpa.put("hibernate.cache.use_minimal_puts", "false");
		jpa.put("hibernate.search.enabled", "false");
		jpa.put("hibernate.format_sql", "false");
		jpa.put("hibernate.show_sql", "false");
	}

	/**
	 * The starter's {@code hapi.fhir.*} defaults as {@code FhirServerConfigCommon} applies them (those that are also
	 * HAPI's own defaults included, so the list is complete).
	 *
	 * <p>One exception: {@code markResourcesForReindexingUponSearchParameterChange} stays off. In the starter the
	 * module's default {@code search-parameter-reindex=auto} turns it off; the benchmark's server runs with
	 * {@code off} and must not have HAPI start REINDEX jobs when it writes its SearchParameter.
	 */
	static void storage(JpaStorageSettings settings) {
		settings.setAllowExternalReferences(false);
		settings.setAllowContainsSearches(true);
		settings.setAllowMultipleDelete(false);
		settings.setDefaultSearchParamsCanBeOverridden(true);
		settings.setAutoCreatePlaceholderReferenceTargets(false);
		settings.setEnforceReferentialIntegrityOnWrite(true);
		settings.setEnforceReferentialIntegrityOnDelete(true);
		settings.setIndexMissingFields(StorageSettings.IndexEnabledEnum.DISABLED);
		settings.setIndexOnContainedResources(false);
		settings.setIndexIdentifierOfType(false);
		settings.setIndexOnUpliftedRefchains(false);
		settings.setLanguageSearchParameterEnabled(false);
		settings.setNormalizedQuantitySearchLevel(NormalizedQuantitySearchLevel.NORMALIZED_QUANTITY_SEARCH_NOT_SUPPORTED);
		settings.setMassIngestionMode(false);
		settings.setHibernateSearchIndexSearchParams(false);
		settings.setStoreResourceInHSearchIndex(false);
		settings.setFilterParameterEnabled(true);
		settings.setExpungeEnabled(true);
		settings.setDeleteExpungeEnabled(false);
		settings.setDeferIndexingForCodesystemsOfSize(100);
		settings.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ALPHANUMERIC);
		settings.setReuseCachedSearchResultsForMillis(60_000L);
		settings.setExpireSearchResultsAfterMillis(60L * 60 * 1000);
		settings.setResourceDbHistoryEnabled(true);
		settings.setPreExpandValueSets(true);
		settings.setMarkResourcesForReindexingUponSearchParameterChange(false);
	}
}
