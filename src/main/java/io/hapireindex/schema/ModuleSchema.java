package io.hapireindex.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.MigrationTaskList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Whether the module's tables are there to use, after the startup step that creates or upgrades them through HAPI's
 * migrator (history in {@value #HISTORY_TABLE}, not the history table of HAPI's own schema).
 *
 * <p>The step never throws: a database the module cannot serve (an unsupported product, a user without the right
 * to create tables) must not stop the host's FHIR server. It logs one ERROR line with the reason and the fix, and
 * {@link #isReady()} answers false so the module can stay out of the way.
 */
public final class ModuleSchema {

	public static final String HISTORY_TABLE = "HFR_MIGRATION";
	/** The command a DBA runs to get the SQL (docs/install.md, "Databases"). */
	static final String PRINT_COMMAND = "java -cp <module jar>:<HAPI jars> " + PrintSchemaSql.class.getName() + " ";

	private static final Logger LOG = LoggerFactory.getLogger(ModuleSchema.class);
	private static final long RETRY_MILLIS = 1_000;

	private final boolean ready;
	private final DriverTypeEnum databaseType;
	private final String problem;
	private final String fix;

	private ModuleSchema(boolean ready, DriverTypeEnum databaseType, String problem, String fix) {
		this.ready = ready;
		this.databaseType = databaseType;
		this.problem = problem;
		this.fix = fix;
	}

	/**
	 * The startup step: finds the database type from the connection and brings the schema to the latest release,
	 * or, with {@code autoMigrate} off, only checks that the tables exist.
	 */
	public static ModuleSchema prepare(DataSource dataSource, boolean autoMigrate) {
		DatabaseTypes.Detected detected;
		try {
			detected = DatabaseTypes.detect(dataSource);
		} catch (SQLException | RuntimeException e) {
			return failed(null, "could not read the database's metadata: " + rootMessage(e),
					"check the server's DataSource; the module retries at the next start");
		}
		if (detected.type() == null || !ModuleSchemaTasks.DATABASES.contains(detected.type())) {
			return failed(detected.type(), "the module has no schema for " + detected.product(),
					"use PostgreSQL, SQL Server, Oracle, MariaDB, MySQL or H2, or set hapi-fhir-reindex.enabled=false");
		}
		return prepare(dataSource, detected.type(), autoMigrate, new ModuleSchemaTasks().allTasks());
	}

	/** The same for a known database type and task list (tests add releases of their own). */
	public static ModuleSchema prepare(
			DataSource dataSource, DriverTypeEnum databaseType, boolean autoMigrate, MigrationTaskList tasks) {
		if (!autoMigrate) {
			List<String> missing;
			try {
				missing = missingTables(dataSource);
			} catch (SQLException | RuntimeException e) {
				return failed(databaseType, "could not list the database's tables: " + rootMessage(e),
						"check the server's DataSource");
			}
			if (!missing.isEmpty()) {
				return failed(databaseType,
						"hapi-fhir-reindex.schema-auto-migrate is false and the tables " + missing + " are missing",
						"run the SQL printed by `" + PRINT_COMMAND + databaseType
								+ "` or set hapi-fhir-reindex.schema-auto-migrate=true");
			}
			LOG.info("hapi-fhir-reindex: schema-auto-migrate is false; the module's tables are present on {}", databaseType);
			return new ModuleSchema(true, databaseType, null, null);
		}
		RuntimeException failure = null;
		// twice: nodes of a new cluster that start together race to create the history table (HAPI's lock row lives
		// in it), and the loser's second attempt finds the table and waits for the lock instead
		for (int attempt = 1; attempt <= 2; attempt++) {
			try {
				migrate(dataSource, databaseType, tasks);
				return new ModuleSchema(true, databaseType, null, null);
			} catch (RuntimeException e) {
				failure = e;
				LOG.debug("Schema attempt {} on {} failed", attempt, databaseType, e);
				if (attempt == 1) {
					pause(RETRY_MILLIS);
				}
			}
		}
		return failed(databaseType, "its tables could not be created or upgraded: " + rootMessage(failure),
				"let the server's database user create tables and indexes, or have a DBA run the SQL printed by `"
						+ PRINT_COMMAND + databaseType + "` and set hapi-fhir-reindex.schema-auto-migrate=false");
	}

	private static void migrate(DataSource dataSource, DriverTypeEnum databaseType, MigrationTaskList tasks) {
		// HAPI's migrator closes the DataSource it is given when that is a DisposableBean; the host's must stay open
		HapiMigrator migrator = new HapiMigrator(HISTORY_TABLE, new DelegatingDataSource(dataSource), databaseType);
		tasks.forEach(migrator::addTask);
		migrator.createMigrationTableIfRequired();
		MigrationResult result = migrator.migrate();
		LOG.info("hapi-fhir-reindex: schema up to date on {} ({} of {} migration tasks ran now)",
				databaseType, result.succeededTasks.size(), tasks.size());
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static ModuleSchema failed(DriverTypeEnum databaseType, String reason, String fix) {
		// not logged as an ERROR here: the module's readiness logs one ERROR line with every reason it backs off
		LOG.debug("hapi-fhir-reindex schema step failed on {}: {}", databaseType, reason);
		return new ModuleSchema(false, databaseType, reason, fix);
	}

	/** The module's tables the database lacks (names compared upper-case, as databases fold them differently). */
	static List<String> missingTables(DataSource dataSource) throws SQLException {
		Set<String> present = new HashSet<>();
		try (Connection connection = dataSource.getConnection();
				ResultSet tables = connection.getMetaData()
						.getTables(connection.getCatalog(), connection.getSchema(), null, new String[] {"TABLE"})) {
			while (tables.next()) {
				present.add(tables.getString("TABLE_NAME").toUpperCase(Locale.ROOT));
			}
		}
		List<String> missing = new ArrayList<>(ModuleSchemaTasks.TABLES);
		missing.removeAll(present);
		return missing;
	}

	/** The database's own words (the innermost cause), on one line and short enough for a log line. */
	private static String rootMessage(Throwable e) {
		Throwable root = e;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = String.valueOf(root.getMessage()).replaceAll("\\s+", " ").trim();
		return message.length() > 500 ? message.substring(0, 500) + "..." : message;
	}

	/** Whether the module's tables can be used. */
	public boolean isReady() {
		return ready;
	}

	/** The database type the schema was made for; null when it could not be told. */
	public DriverTypeEnum databaseType() {
		return databaseType;
	}

	/** Why the module cannot use its tables and what would fix it, for the operator; null when it can. */
	public String failure() {
		return ready ? null : "its tables: " + problem + ". To fix: " + fix;
	}

	/** Why the module cannot use its tables; null when it can. */
	public String problem() {
		return problem;
	}
}
