package io.hapireindex.operation;

import java.util.List;

/** The start parameters of {@code $reindex}, as in the API contract (HAPI, Azure and Kodjin names). */
public final class StartParameterNames {

	public static final String URL = "url";
	public static final String RESOURCE_TYPE = "resourceType";
	public static final String TARGET_RESOURCE_TYPES = "targetResourceTypes";
	public static final String RESOURCE_ID = "resourceId";
	public static final String SEARCH_PARAMETER = "searchParameter";
	public static final String TARGET_SEARCH_PARAMETER_TYPES = "targetSearchParameterTypes";
	public static final String PARTITION_ID = "partitionId";
	public static final String REINDEX_SEARCH_PARAMETERS = "reindexSearchParameters";
	public static final String OPTIMIZE_STORAGE = "optimizeStorage";
	public static final String OPTIMISTIC_LOCK = "optimisticLock";
	public static final String CORRECT_CURRENT_VERSION = "correctCurrentVersion";
	public static final String MAX_RESOURCES_PER_QUERY = "maximumNumberOfResourcesPerQuery";
	public static final String BATCH_SIZE = "batchSize";
	public static final String MAX_CONCURRENCY = "maximumConcurrency";
	public static final String QUERY_DELAY = "queryDelayIntervalInMilliseconds";
	public static final String DATA_STORE_USAGE = "targetDataStoreUsagePercentage";

	/** Parameters that may be repeated; every other one is 0..1. */
	public static final List<String> REPEATABLE =
			List.of(URL, RESOURCE_TYPE, RESOURCE_ID, SEARCH_PARAMETER, PARTITION_ID);

	public static final List<String> ALL = List.of(
			URL,
			RESOURCE_TYPE,
			TARGET_RESOURCE_TYPES,
			RESOURCE_ID,
			SEARCH_PARAMETER,
			TARGET_SEARCH_PARAMETER_TYPES,
			PARTITION_ID,
			REINDEX_SEARCH_PARAMETERS,
			OPTIMIZE_STORAGE,
			OPTIMISTIC_LOCK,
			CORRECT_CURRENT_VERSION,
			MAX_RESOURCES_PER_QUERY,
			BATCH_SIZE,
			MAX_CONCURRENCY,
			QUERY_DELAY,
			DATA_STORE_USAGE);

	private StartParameterNames() {}
}
