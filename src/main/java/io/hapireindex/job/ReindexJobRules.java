package io.hapireindex.job;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules every reindex job's parameters meet, whoever starts it: checked by {@link ReindexJobParametersBuilder}
 * and again by the job definition's validator ({@link ReindexJobParametersValidator}) when batch2 starts a job. The
 * HTTP parsers check the same limits first, to answer with the caller's own parameter names.
 */
public final class ReindexJobRules {

	public static final int MAX_BATCH_SIZE = 5000;
	public static final int MAX_CONCURRENCY = 10;
	public static final int MAX_QUERY_DELAY_MILLIS = 500_000;
	public static final int DEFAULT_BATCH_SIZE = 500;
	public static final int DEFAULT_MAXIMUM_CONCURRENCY = 2;

	/** {@code Type/id}, as every id scope is split on its first slash. */
	private static final Pattern RESOURCE_ID = Pattern.compile("^[A-Za-z]+/[A-Za-z0-9\\-.]{1,64}$");

	/** A broken rule, with the parameter it is about as data. */
	public record Violation(String parameter, String message) {}

	private ReindexJobRules() {}

	public static List<Violation> check(ReindexJobParameters p) {
		List<Violation> found = new ArrayList<>();
		if (p.scopes().isEmpty() && p.resourceIds().isEmpty()) {
			found.add(new Violation("scopes", "a job needs at least one type, search URL or resource id"));
		}
		p.resourceIds().stream()
				.filter(id -> id == null || !RESOURCE_ID.matcher(id).matches())
				.findFirst()
				.ifPresent(id -> found.add(new Violation("resourceId", "'" + id + "' is not of the form Type/id")));
		p.scopes().stream()
				.filter(s -> s.resourceType() == null || s.resourceType().isBlank())
				.findFirst()
				.ifPresent(s -> found.add(new Violation("scopes", "a scope has no resource type")));
		range(found, "batchSize", p.batchSize(), 1, MAX_BATCH_SIZE);
		range(found, "maximumConcurrency", p.maximumConcurrency(), 1, MAX_CONCURRENCY);
		range(found, "queryDelayIntervalInMilliseconds", p.queryDelayMillis(), 0, MAX_QUERY_DELAY_MILLIS);
		range(found, "targetDataStoreUsagePercentage", p.targetDataStoreUsagePercentage(), 1, 100);
		if (p.reindexSearchParameters() == null) {
			found.add(new Violation("reindexSearchParameters", "missing"));
		}
		if (p.optimizeStorage() == null) {
			found.add(new Violation("optimizeStorage", "missing"));
		}
		if (p.correctCurrentVersion() == null) {
			found.add(new Violation("correctCurrentVersion", "missing"));
		}
		return found;
	}

	private static void range(List<Violation> found, String parameter, int value, int min, int max) {
		if (value < min || value > max) {
			found.add(new Violation(parameter, value + " is outside " + min + ".." + max));
		}
	}
}
