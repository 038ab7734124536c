package io.hapireindex.hapi;

import io.hapireindex.it.HapiServerTestBase;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The startup check of the HAPI version and schema, on the test host's database and on one without HAPI's tables. */
class HapiCompatibilityCheckIT extends HapiServerTestBase {

	@Test
	void theTestHostsHapiIsTestedAndItsSchemaPasses() {
		HapiCompatibilityCheck check = new HapiCompatibilityCheck(dataSource);
		assertThat(HapiVersion.running()).as("HAPI's version, read from HAPI (VersionUtil)").matches("\\d+\\.\\d+\\.\\d+.*");
		assertThat(check.untestedVersionWarning()).as("the suite runs on a tested HAPI version").isEmpty();
		assertThat(check.failure()).as("HapiCompatibilityCheck on the test host's schema").isEmpty();
	}

	@Test
	void anUntestedVersionIsWarnedAboutWithTheTestedOnes() {
		HapiCompatibilityCheck check = new HapiCompatibilityCheck(dataSource, "9.9.9");
		assertThat(check.untestedVersionWarning()).hasValueSatisfying(warning -> assertThat(warning)
				.contains("9.9.9")
				.contains(HapiVersion.TESTED));
		assertThat(check.failure()).as("an untested version alone does not stop the module").isEmpty();
	}

	@Test
	void aSchemaWithoutHapisTablesFailsNamingTheTouches() {
		JdbcDataSource empty = new JdbcDataSource();
		empty.setURL("jdbc:h2:mem:hfr-no-hapi-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		empty.setUser("sa");
		assertThat(new HapiCompatibilityCheck(empty, HapiVersion.running()).failure())
				.hasValueSatisfying(failure -> assertThat(failure)
						.contains("ResourceTables (SQL on HFJ_RESOURCE): table HFJ_RESOURCE not found")
						.contains("Batch2Tables (SQL on BT2_WORK_CHUNK): table BT2_WORK_CHUNK not found")
						.contains("HFJ_SPIDX_TOKEN"));
	}
}
