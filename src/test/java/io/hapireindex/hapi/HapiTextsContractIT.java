package io.hapireindex.hapi;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.ReindexOutcome;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import io.hapireindex.it.HapiServerTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract of {@link HapiTexts}: HAPI's reindex still tells a resource it could not reindex only by the warning
 * whose text the adapter matches, and a resource it could reindex carries no such warning.
 */
class HapiTextsContractIT extends HapiServerTestBase {

	@Autowired
	private DaoRegistry daoRegistry;

	@Autowired
	private IHapiTransactionService transactionService;

	private ReindexOutcome hapiReindex(long pid) {
		return transactionService.withSystemRequest().execute(() -> daoRegistry.getResourceDao("Patient")
				.reindex(JpaPid.fromId(pid), new ReindexParameters(), new SystemRequestDetails(), new TransactionDetails()));
	}

	@Test
	void hapisReindexReportsAnUnreadableResourceWithTheMatchedWarning() {
		List<String> ids = createPatients(unique("Texts"), "Nowhere", 1);
		long pid = db.pid("Patient", ids.get(0));
		assertThat(HapiTexts.reindexFailure(hapiReindex(pid)))
				.as("HapiTexts.reindexFailure: no failure warning from HAPI's reindex of a readable resource")
				.isEmpty();

		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		String good = jdbc.queryForObject("SELECT RES_TEXT_VC FROM HFJ_RES_VER WHERE RES_ID = ?", String.class, pid);
		jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", "{\"resourceType\":\"Patient\",", pid);
		try {
			assertThat(HapiTexts.reindexFailure(hapiReindex(pid)))
					.as("HapiTexts.reindexFailure: HAPI's reindex (BaseHapiFhirResourceDao.reindexSearchParameters) reports"
							+ " a resource it cannot parse with a warning starting '" + HapiTexts.REINDEX_FAILURE_PREFIX + "'")
					.hasValueSatisfying(warning -> assertThat(warning).contains("Patient/" + ids.get(0)));
		} finally {
			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", good, pid);
			hapiReindex(pid);
		}
	}
}
