package io.hapireindex.hapi;

import ca.uhn.fhir.jpa.api.dao.ReindexOutcome;
import ca.uhn.fhir.jpa.model.util.JpaConstants;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.instance.model.api.IIdType;

import java.util.Optional;

/**
 * What the module reads from, or writes like, HAPI's texts and request markers.
 *
 * <p>HAPI's {@code dao.reindex} does not throw for a resource it cannot parse or index: it marks the resource
 * INDEXING_FAILED and returns a warning "Failed to reindex resource Type/id/_history/n: exception" (private code in
 * {@code BaseHapiFhirResourceDao.reindexSearchParameters}). The warning is the only sign of the failure, so the
 * module matches its text, and words its own failures the same way so both paths report alike.
 */
public final class HapiTexts {

	/** The start of the warning HAPI's reindex adds for a resource it could not reindex. */
	static final String REINDEX_FAILURE_PREFIX = "Failed to reindex resource ";

	private HapiTexts() {}

	/** The failure HAPI's reindex reported in its outcome, if it could not reindex the resource. */
	public static Optional<String> reindexFailure(ReindexOutcome outcome) {
		return outcome.getWarnings().stream().filter(w -> w.startsWith(REINDEX_FAILURE_PREFIX)).findFirst();
	}

	/** A failure worded as HAPI's reindex words it. */
	public static String reindexFailure(IIdType resourceId, Exception cause) {
		return REINDEX_FAILURE_PREFIX + resourceId + ": " + cause;
	}

	/** Marks a request as HAPI's reindex marks its own, for interceptors that tell a reindex from an update. */
	public static void markAsReindex(SystemRequestDetails request) {
		request.getUserData().put(JpaConstants.SKIP_REINDEX_ON_UPDATE, Boolean.TRUE);
	}
}
