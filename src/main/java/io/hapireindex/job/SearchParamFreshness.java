package io.hapireindex.job;

import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Date;

/**
 * Makes this node use the search parameters as they were when a job was created.
 *
 * <p>HAPI refreshes the registry right after a SearchParameter commit only on the node that wrote it; other
 * nodes catch up within a minute, and batch2 steps never refresh it. A chunk of a job created after this
 * node's last refresh would be indexed with a stale set, so the node refreshes once before such a chunk.
 */
public class SearchParamFreshness {

	private static final Logger LOG = LoggerFactory.getLogger(SearchParamFreshness.class);

	private final ISearchParamRegistry registry;
	private volatile long lastRefreshMillis;

	public SearchParamFreshness(ISearchParamRegistry registry) {
		this.registry = registry;
		this.lastRefreshMillis = System.currentTimeMillis();
	}

	public void ensureCurrentFor(String jobId, Date jobCreated) {
		if (jobCreated == null || jobCreated.getTime() < lastRefreshMillis) {
			return;
		}
		synchronized (this) {
			if (jobCreated.getTime() >= lastRefreshMillis) {
				long now = System.currentTimeMillis();
				registry.forceRefresh();
				lastRefreshMillis = now;
				LOG.info("Reindex job {}: refreshed the search parameter registry on this node", jobId);
			}
		}
	}
}
