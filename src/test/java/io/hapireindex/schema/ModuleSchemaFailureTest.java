package io.hapireindex.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.util.UUID;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The startup step never throws: a database the module cannot use leaves it not ready, with the reason. */
class ModuleSchemaFailureTest {

	@Test
	void aUserWhoMayNotCreateTablesLeavesTheModuleNotReady() {
		String url = "jdbc:h2:mem:hfr-schema-" + UUID.randomUUID();
		new JdbcTemplate(new DriverManagerDataSource(url + ";DB_CLOSE_DELAY=-1", "sa", ""))
				.execute("CREATE USER READER PASSWORD 'r'");
		DataSource reader = new DriverManagerDataSource(url, "READER", "r");

		ModuleSchema schema = ModuleSchema.prepare(reader, true);

		assertThat(schema.isReady()).isFalse();
		assertThat(schema.databaseType()).isEqualTo(DriverTypeEnum.H2_EMBEDDED);
		assertThat(schema.problem()).startsWith("its tables could not be created or upgraded");
	}

	@Test
	void aDatabaseThatCannotBeReachedLeavesTheModuleNotReady() {
		DataSource missing = new DriverManagerDataSource(
				"jdbc:h2:mem:hfr-missing-" + UUID.randomUUID() + ";IFEXISTS=TRUE", "sa", "");

		ModuleSchema schema = ModuleSchema.prepare(missing, true);

		assertThat(schema.isReady()).isFalse();
		assertThat(schema.databaseType()).isNull();
		assertThat(schema.problem()).startsWith("could not read the database's metadata");
	}

	@Test
	void withAutoMigrateOffTheTablesMustBeThere() throws Exception {
		DataSource ds = SchemaTarget.H2.freshDatabase();

		ModuleSchema before = ModuleSchema.prepare(ds, false);
		assertThat(before.isReady()).isFalse();
		assertThat(before.problem()).contains("schema-auto-migrate is false", "HFR_JOB_SCOPE", "HFR_SP_STATUS");
		assertThat(ModuleSchema.missingTables(ds)).as("nothing created").hasSize(7);

		ModuleSchema.prepare(ds, true);
		ModuleSchema after = ModuleSchema.prepare(ds, false);
		assertThat(after.isReady()).isTrue();
		assertThat(after.problem()).isNull();
	}

	@Test
	void theDatabaseTypeComesFromTheDriversProductName() {
		assertThat(DatabaseTypes.fromProduct("PostgreSQL", "16.2")).isEqualTo(DriverTypeEnum.POSTGRES_9_4);
		assertThat(DatabaseTypes.fromProduct("PostgreSQL", "13.0.0 CockroachDB CCL v23.1"))
				.isEqualTo(DriverTypeEnum.COCKROACHDB_21_1);
		assertThat(DatabaseTypes.fromProduct("Microsoft SQL Server", "16.00.4135")).isEqualTo(DriverTypeEnum.MSSQL_2012);
		assertThat(DatabaseTypes.fromProduct("Oracle", "Oracle Database 19c")).isEqualTo(DriverTypeEnum.ORACLE_12C);
		assertThat(DatabaseTypes.fromProduct("MySQL", "5.5.5-10.11.6-MariaDB")).isEqualTo(DriverTypeEnum.MARIADB_10_1);
		assertThat(DatabaseTypes.fromProduct("MariaDB", "11.4")).isEqualTo(DriverTypeEnum.MARIADB_10_1);
		assertThat(DatabaseTypes.fromProduct("MySQL", "8.0.36")).isEqualTo(DriverTypeEnum.MYSQL_5_7);
		assertThat(DatabaseTypes.fromProduct("H2", "2.3.232")).isEqualTo(DriverTypeEnum.H2_EMBEDDED);
		assertThat(DatabaseTypes.fromProduct("SQLite", "3.45")).isNull();
		// the migrator has no column types for CockroachDB: the module says so instead of failing half-way
		assertThat(ModuleSchemaTasks.DATABASES).doesNotContain(DriverTypeEnum.COCKROACHDB_21_1);
	}
}
