package io.hapireindex.hapi;

import ca.uhn.fhir.jpa.entity.TermValueSetPreExpansionStatusEnum;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;

/**
 * The module's SQL on HAPI's terminology tables: which ValueSets HAPI failed to pre-expand. HAPI has no API that
 * answers this for a set of resources; its {@code TRM_VALUESET} row per ValueSet keeps the state.
 */
public final class TerminologyTables {

	private final JdbcTemplate jdbc;

	public TerminologyTables(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
	}

	/** The pids, among these ValueSets', whose pre-expansion HAPI gave up on ({@code FAILED_TO_EXPAND}). */
	public List<Long> failedPreExpansions(Collection<Long> valueSetPids) {
		List<Long> failed = new ArrayList<>();
		if (valueSetPids.isEmpty()) {
			return failed;
		}
		jdbc.query("SELECT RES_ID FROM TRM_VALUESET WHERE EXPANSION_STATUS = ? AND RES_ID IN ("
						+ ResourceTables.marks(valueSetPids.size()) + ")",
				rs -> {
					failed.add(rs.getLong(1));
				},
				params(valueSetPids));
		return failed;
	}

	private static Object[] params(Collection<Long> pids) {
		List<Object> params = new ArrayList<>(pids.size() + 1);
		// HAPI stores the enum's name (EnumType.STRING)
		params.add(TermValueSetPreExpansionStatusEnum.FAILED_TO_EXPAND.name());
		params.addAll(pids);
		return params.toArray();
	}
}
