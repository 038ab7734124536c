package io.hapireindex.job;

import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import io.hapireindex.throttle.RequestYield;
import jakarta.persistence.EntityManager;
import org.hibernate.FlushMode;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * Runs a batch's work in transactions: the batch in one; if that fails as a whole, resource by resource; then each
 * failed resource again, a bounded number of times. A failing resource never stops the rest of its batch.
 */
final class BatchAttempts {

	private static final Logger LOG = LoggerFactory.getLogger(BatchAttempts.class);

	private final IHapiTransactionService transactionService;
	private final EntityManager entityManager;
	private final int retries;
	private final RequestYield requestYield;

	BatchAttempts(
			IHapiTransactionService transactionService, EntityManager entityManager, int retries, RequestYield requestYield) {
		this.transactionService = transactionService;
		this.entityManager = entityManager;
		this.retries = retries;
		this.requestYield = requestYield;
	}

	/**
	 * @param failures filled with the message of each resource ({@code Type/id}) that failed in the end
	 * @return how many extra attempts failing resources got
	 */
	int run(String jobId, String resourceType, Map<Long, String> live, BatchWork work, Map<String, String> failures) {
		try {
			// the batch's first queries too wait for requests in progress
			requestYield.pause();
			transactionService.withSystemRequest().execute(() -> {
				flushAtCommitOnly();
				work.run(live).forEach((pid, message) -> failures.put(resourceType + "/" + live.get(pid), message));
			});
		} catch (RuntimeException batchFailure) {
			// The batch's transaction failed as a whole (a concurrent update under optimisticLock, a
			// database error): redo it one resource per transaction to reindex the rest and name the culprits.
			LOG.warn("Reindex job {}: batch of {} {} failed ({}), retrying one by one",
					jobId, live.size(), resourceType, batchFailure.toString());
			failures.clear();
			live.forEach((pid, fhirId) -> attempt(work, pid, fhirId).ifPresent(m -> failures.put(resourceType + "/" + fhirId, m)));
		}
		// A failure may be passing (a lock, a deferred terminology write): try again a bounded number of times.
		int retried = 0;
		for (int round = 1; round <= retries && !failures.isEmpty(); round++) {
			sleepQuietly(100L * round);
			for (Map.Entry<Long, String> next : live.entrySet()) {
				String id = resourceType + "/" + next.getValue();
				if (failures.containsKey(id)) {
					retried++;
					Optional<String> again = attempt(work, next.getKey(), next.getValue());
					if (again.isEmpty()) {
						failures.remove(id);
					} else {
						failures.put(id, again.get());
					}
				}
			}
		}
		return retried;
	}

	/** One resource in its own transaction; the failure message, if it failed. */
	private Optional<String> attempt(BatchWork work, long pid, String fhirId) {
		try {
			return transactionService.withSystemRequest().execute(() -> {
				flushAtCommitOnly();
				return Optional.ofNullable(work.run(Map.of(pid, fhirId)).get(pid));
			});
		} catch (RuntimeException e) {
			return Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
		}
	}

	/**
	 * HAPI's reindex looks up the ids of each resource's references with a query, and Hibernate's default AUTO
	 * flush mode dirty-checks every entity of the session before each query. With a batch's resources and all
	 * their index rows in the session that made a batch quadratic: about two thirds of a full reindex's time
	 * went to those flushes. Reindex queries only read resource ids, which a reindex never changes, so the
	 * pending index writes can wait for the commit.
	 */
	private void flushAtCommitOnly() {
		entityManager.unwrap(Session.class).setHibernateFlushMode(FlushMode.COMMIT);
	}

	private static void sleepQuietly(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
