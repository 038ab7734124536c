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

	/**
	 * The operating-system niceness (0..19) of the threads that reindex, set the first time a thread runs a reindex
	 * chunk, so the server's request threads get the CPU first; 0 leaves the threads alone. Linux only.
	 */
	private int workerNice = 10;

	/**
	 * At most this share (0..90 percent) of a reindex worker's time goes to waiting while the node serves requests:
	 * before each resource a worker waits for the requests in progress, within a budget earned while it works. 0
	 * never waits; 50 keeps a job at half its speed or more however busy the server is.
	 */
	private int requestYieldPercent = 50;

	/** Extra attempts, each in its own transaction, for a resource that fails before it is reported failed (0..10). */
	private int resourceRetries = 2;

	/**
	 * Seconds without a heartbeat after which a node counts as gone: the chunks it was running, and chunks
	 * queued but never picked up for as long, are handed out again, and its throttle slots are freed.
	 */
	private long nodeLeaseSeconds = 30;

	/**
	 * What happens when a SearchParameter is created, changed or deleted: "auto" starts one targeted reindex job
	 * for the changes of one window (and turns off HAPI's own full REINDEX per parameter), "off" does nothing.
	 */
	private String searchParameterReindex = "auto";

	/**
	 * Changes to SearchParameters committed within this many milliseconds make one job (0..600000). Half a second
	 * merges what a script or a loader sends one request after another (tens of milliseconds apart; a transaction
	 * bundle is one commit anyway) and is all a single new parameter waits before its job starts; with 2 s it was
	 * a fifth of the time from create to ready on the Synthea benchmark.
	 */
	private long searchParameterReindexWindowMillis = 500;

	/** Whether the operators' job admin page and its JSON API are served under the FHIR base. */
	private boolean adminPageEnabled = true;

	/**
	 * Path of the admin page below the FHIR base ([base]/{path}/), one segment starting with a lower-case letter or
	 * digit so it never shadows a resource type.
	 */
	private String adminPagePath = "reindex-admin";

	/**
	 * A permission every caller of the module's operations, job API and admin API must have, on top of the host's
	 * authorization (e.g. a SMART scope "system/*.write", "reindex", or a role "ROLE_FHIR_CLIENT_SUPERUSER"). Empty:
	 * no check of the module's own.
	 */
	private String requiredPermission = "";

	/**
	 * Where required-permission is looked for, comma-separated: "role" (the servlet request's user roles, as Spring
	 * Security or the container set them) and/or "jwt-scope" (the scope/scp claim of the bearer JWT, which the host
	 * must already have verified).
	 */
	private String permissionSources = "role";

	/**
	 * Whether the module creates and upgrades its own tables (HFR_*, history in HFR_MIGRATION) at startup through
	 * HAPI's migrator. False when a DBA applies the SQL instead (io.hapireindex.schema.PrintSchemaSql); the module
	 * then only checks that its tables exist.
	 */
	private boolean schemaAutoMigrate = true;

	public boolean isSchemaAutoMigrate() {
		return schemaAutoMigrate;
	}

	public void setSchemaAutoMigrate(boolean schemaAutoMigrate) {
		this.schemaAutoMigrate = schemaAutoMigrate;
	}

	public String getRequiredPermission() {
		return requiredPermission;
	}

	public void setRequiredPermission(String requiredPermission) {
		this.requiredPermission = requiredPermission == null ? "" : requiredPermission.trim();
	}

	public String getPermissionSources() {
		return permissionSources;
	}

	/** The configured sources, each checked against the known ones. */
	public java.util.List<String> permissionSourceList() {
		return java.util.Arrays.stream(permissionSources.split(","))
				.map(String::trim)
				.filter(s -> !s.isEmpty())
				.toList();
	}

	public void setPermissionSources(String permissionSources) {
		java.util.List<String> known = java.util.List.of("role", "jwt-scope");
		String value = permissionSources == null ? "" : permissionSources.trim();
		java.util.List<String> given = java.util.Arrays.stream(value.split(",")).map(String::trim).toList();
		if (value.isEmpty() || !known.containsAll(given)) {
			throw new IllegalArgumentException(PREFIX + ".permission-sources is '" + permissionSources
					+ "'; it must be a comma-separated list of " + known);
		}
		this.permissionSources = value;
	}

	public boolean isAdminPageEnabled() {
		return adminPageEnabled;
	}

	public void setAdminPageEnabled(boolean adminPageEnabled) {
		this.adminPageEnabled = adminPageEnabled;
	}

	public String getAdminPagePath() {
		return adminPagePath;
	}

	public void setAdminPagePath(String adminPagePath) {
		if (adminPagePath == null || !adminPagePath.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
			throw new IllegalArgumentException(PREFIX + ".admin-page-path is '" + adminPagePath
					+ "'; it must be one path segment of a-z, 0-9, '.', '_', '-' starting with a letter or digit");
		}
		this.adminPagePath = adminPagePath;
	}

	/**
	 * When true, a search that uses a custom search parameter whose reindex is not done (pending, reindexing or
	 * failed) is rejected with 400; when false it is answered with a warning in the Bundle. Read per request.
	 */
	private volatile boolean strictSearchParameterReadiness = false;

	public boolean isStrictSearchParameterReadiness() {
		return strictSearchParameterReadiness;
	}

	public void setStrictSearchParameterReadiness(boolean strictSearchParameterReadiness) {
		this.strictSearchParameterReadiness = strictSearchParameterReadiness;
	}

	public String getSearchParameterReindex() {
		return searchParameterReindex;
	}

	public void setSearchParameterReindex(String searchParameterReindex) {
		if (!"auto".equals(searchParameterReindex) && !"off".equals(searchParameterReindex)) {
			throw new IllegalArgumentException(
					PREFIX + ".search-parameter-reindex is '" + searchParameterReindex + "'; it must be auto or off");
		}
		this.searchParameterReindex = searchParameterReindex;
	}

	public boolean isAutomaticSearchParameterReindex() {
		return "auto".equals(searchParameterReindex);
	}

	public long getSearchParameterReindexWindowMillis() {
		return searchParameterReindexWindowMillis;
	}

	public void setSearchParameterReindexWindowMillis(long searchParameterReindexWindowMillis) {
		this.searchParameterReindexWindowMillis =
				inRange("search-parameter-reindex-window-millis", searchParameterReindexWindowMillis, 0, 600_000);
	}

	public int getResourceRetries() {
		return resourceRetries;
	}

	public void setResourceRetries(int resourceRetries) {
		this.resourceRetries = inRange("resource-retries", resourceRetries, 0, 10);
	}

	public long getNodeLeaseSeconds() {
		return nodeLeaseSeconds;
	}

	public void setNodeLeaseSeconds(long nodeLeaseSeconds) {
		this.nodeLeaseSeconds = inRange("node-lease-seconds", nodeLeaseSeconds, 3, 3_600);
	}

	public long getSlotLeaseSeconds() {
		return slotLeaseSeconds;
	}

	public void setSlotLeaseSeconds(long slotLeaseSeconds) {
		this.slotLeaseSeconds = inRange("slot-lease-seconds", slotLeaseSeconds, 10, 86_400);
	}

	public int getDefaultBatchSize() {
		return defaultBatchSize;
	}

	public void setDefaultBatchSize(int defaultBatchSize) {
		this.defaultBatchSize = inRange("default-batch-size", defaultBatchSize, 1, 5000);
	}

	public int getWorkerNice() {
		return workerNice;
	}

	public void setWorkerNice(int workerNice) {
		this.workerNice = inRange("worker-nice", workerNice, 0, 19);
	}

	public int getRequestYieldPercent() {
		return requestYieldPercent;
	}

	public void setRequestYieldPercent(int requestYieldPercent) {
		this.requestYieldPercent = inRange("request-yield-percent", requestYieldPercent, 0, 90);
	}

	public int getDefaultMaximumConcurrency() {
		return defaultMaximumConcurrency;
	}

	public void setDefaultMaximumConcurrency(int defaultMaximumConcurrency) {
		this.defaultMaximumConcurrency = inRange("default-maximum-concurrency", defaultMaximumConcurrency, 1, 10);
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

	/** A wrong setting stops the host at startup with the key and the allowed range, not later in a job. */
	private static int inRange(String key, int value, int min, int max) {
		return (int) inRange(key, (long) value, min, max);
	}

	private static long inRange(String key, long value, long min, long max) {
		if (value < min || value > max) {
			throw new IllegalArgumentException(
					PREFIX + "." + key + " is " + value + "; it must be between " + min + " and " + max);
		}
		return value;
	}
}
