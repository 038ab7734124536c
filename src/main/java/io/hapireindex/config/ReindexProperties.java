package io.hapireindex.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code hapi-fhir-reindex.*}. Bound by Spring Boot in Boot hosts; plain Spring hosts get
 * the defaults unless they bind it themselves.
 */
@ConfigurationProperties(prefix = ReindexProperties.PREFIX)
public class ReindexProperties {

	public static final String PREFIX = "hapi-fhir-reindex";

	/**
	 * Whether the module is active. When false nothing is registered and HAPI's own $reindex operations stay.
	 */
	private boolean enabled = true;

	/**
	 * Whether HAPI's own $reindex and $reindex-dryrun bindings are removed, so only this module's operations answer
	 * and appear in the CapabilityStatement.
	 */
	private boolean replaceHapiOperations = true;

	/** Resources per work chunk when a request gives no maximumNumberOfResourcesPerQuery / batchSize (1..5000). */
	private int defaultBatchSize = 500;

	/** Chunks of one job in flight at once across the cluster when a request gives no maximumConcurrency (1..10). */
	private int defaultMaximumConcurrency = 2;

	/**
	 * How long a node may hold one of a job's concurrency slots before another node may take it over (a node
	 * that died frees its slots after this long).
	 */
	private long slotLeaseSeconds = 600;

	/** Extra attempts, each in its own transaction, for a resource that fails before it is reported failed (0..10). */
	private int resourceRetries = 2;

	public int getResourceRetries() {
		return resourceRetries;
	}

	public void setResourceRetries(int resourceRetries) {
		this.resourceRetries = resourceRetries;
	}

	public long getSlotLeaseSeconds() {
		return slotLeaseSeconds;
	}

	public void setSlotLeaseSeconds(long slotLeaseSeconds) {
		this.slotLeaseSeconds = slotLeaseSeconds;
	}

	public int getDefaultBatchSize() {
		return defaultBatchSize;
	}

	public void setDefaultBatchSize(int defaultBatchSize) {
		this.defaultBatchSize = defaultBatchSize;
	}

	public int getDefaultMaximumConcurrency() {
		return defaultMaximumConcurrency;
	}

	public void setDefaultMaximumConcurrency(int defaultMaximumConcurrency) {
		this.defaultMaximumConcurrency = defaultMaximumConcurrency;
	}

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isReplaceHapiOperations() {
		return replaceHapiOperations;
	}

	public void setReplaceHapiOperations(boolean replaceHapiOperations) {
		this.replaceHapiOperations = replaceHapiOperations;
	}
}
