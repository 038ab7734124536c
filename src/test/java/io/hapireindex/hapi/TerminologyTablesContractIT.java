package io.hapireindex.hapi;

import ca.uhn.fhir.jpa.entity.TermValueSetPreExpansionStatusEnum;
import io.hapireindex.it.HapiServerTestBase;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract of {@link TerminologyTables}: HAPI keeps one {@code TRM_VALUESET} row per stored ValueSet, keyed by its
 * resource pid, with the pre-expansion state as the name of {@link TermValueSetPreExpansionStatusEnum}.
 */
class TerminologyTablesContractIT extends HapiServerTestBase {

	@Test
	void aValueSetsPreExpansionStateIsReadByResourcePid() {
		String id = unique("contract-vs");
		ValueSet vs = new ValueSet();
		vs.setId("ValueSet/" + id);
		vs.setUrl("http://example.org/fhir/ValueSet/" + id);
		vs.setStatus(Enumerations.PublicationStatus.ACTIVE);
		vs.getCompose().addInclude().setSystem("http://example.org/contract-codes").addConcept().setCode("a");
		client.update().resource(vs).execute();
		long pid = db.pid("ValueSet", id);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);

		String state = jdbc.queryForObject("SELECT EXPANSION_STATUS FROM TRM_VALUESET WHERE RES_ID = ?", String.class, pid);
		assertThat(Arrays.stream(TermValueSetPreExpansionStatusEnum.values()).map(Enum::name))
				.as("TRM_VALUESET.EXPANSION_STATUS holds the enum's name")
				.contains(state);
		TerminologyTables tables = new TerminologyTables(dataSource);
		assertThat(tables.failedPreExpansions(List.of(pid))).isEmpty();

		// the state HAPI sets when it gives up on a pre-expansion
		jdbc.update("UPDATE TRM_VALUESET SET EXPANSION_STATUS = ? WHERE RES_ID = ?",
				TermValueSetPreExpansionStatusEnum.FAILED_TO_EXPAND.name(), pid);
		try {
			assertThat(tables.failedPreExpansions(List.of(pid, pid + 1_000_000))).containsExactly(pid);
		} finally {
			jdbc.update("UPDATE TRM_VALUESET SET EXPANSION_STATUS = ? WHERE RES_ID = ?", state, pid);
		}
	}
}
