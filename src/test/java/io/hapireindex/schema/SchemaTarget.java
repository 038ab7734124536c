package io.hapireindex.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A database the schema tests run on, and the migrator type they run it as: H2 itself, H2 in its SQL Server and
 * Oracle compatibility modes (what CI can run of those two), and a real PostgreSQL when {@code test.db=postgres}
 * (the database of {@code test.pg.url} with {@code _schemas} appended, made afresh for each test).
 */
record SchemaTarget(String name, DriverTypeEnum type, String h2Mode) {

	static final SchemaTarget H2 = new SchemaTarget("H2", DriverTypeEnum.H2_EMBEDDED, null);
	static final SchemaTarget H2_AS_SQL_SERVER = new SchemaTarget("H2 MODE=MSSQLServer", DriverTypeEnum.MSSQL_2012, "MSSQLServer");
	static final SchemaTarget H2_AS_ORACLE = new SchemaTarget("H2 MODE=Oracle", DriverTypeEnum.ORACLE_12C, "Oracle");
	static final SchemaTarget POSTGRES = new SchemaTarget("PostgreSQL", DriverTypeEnum.POSTGRES_9_4, null);

	static boolean postgresEnabled() {
		return "postgres".equalsIgnoreCase(System.getProperty("test.db", "h2"));
	}

	/** Every target of this run. */
	static List<SchemaTarget> all() {
		List<SchemaTarget> targets = new ArrayList<>(List.of(H2, H2_AS_SQL_SERVER, H2_AS_ORACLE));
		if (postgresEnabled()) {
			targets.add(POSTGRES);
		}
		return targets;
	}

	/** The targets the module's hand-written DDL ran on before it had migrations. */
	static List<SchemaTarget> withHandWrittenHistory() {
		return postgresEnabled() ? List.of(H2, POSTGRES) : List.of(H2);
	}

	/** An empty database of this target. */
	DataSource freshDatabase() {
		if (this == POSTGRES) {
			return freshPostgres();
		}
		String url = "jdbc:h2:mem:hfr-schema-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"
				+ (h2Mode == null ? "" : ";MODE=" + h2Mode);
		return new DriverManagerDataSource(url, "sa", "");
	}

	private static DataSource freshPostgres() {
		String base = System.getProperty("test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
		String user = System.getProperty("test.pg.user", "postgres");
		String password = System.getProperty("test.pg.password", "");
		int slash = base.lastIndexOf('/');
		int query = base.indexOf('?', slash);
		String database = (query < 0 ? base.substring(slash + 1) : base.substring(slash + 1, query)) + "_schemas";
		String url = base.substring(0, slash + 1) + database + (query < 0 ? "" : base.substring(query));
		try (Connection admin = DriverManager.getConnection(base, user, password);
				Statement statement = admin.createStatement()) {
			statement.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
			statement.execute("CREATE DATABASE \"" + database + "\"");
		} catch (SQLException e) {
			throw new IllegalStateException("Could not make the test database " + database + ": " + e.getMessage(), e);
		}
		return new DriverManagerDataSource(url, user, password);
	}

	@Override
	public String toString() {
		return name + " as " + type;
	}
}
