package io.hapireindex.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.MigrationTaskList;
import ca.uhn.fhir.jpa.migrate.dao.HapiMigrationDao;
import ca.uhn.fhir.jpa.migrate.taskdef.BaseTask;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The SQL the migrator would run, written out and not executed: HAPI's tasks in their dry-run mode, which still ask
 * the database what exists so that they only print what it lacks.
 *
 * <p>Why not {@code HapiMigrator.setDryRun}: it loads the JDBC driver class of the target type first, so the SQL for
 * SQL Server could not be worked out on a machine without SQL Server's driver (a DBA's, or CI's on H2).
 */
public final class SchemaDryRun {

	private SchemaDryRun() {}

	/** The statements, in order, that would bring the database to the latest release of the module's schema. */
	public static List<String> statements(DataSource dataSource, DriverTypeEnum databaseType) throws SQLException {
		return statements(dataSource, databaseType, new ModuleSchemaTasks().allTasks());
	}

	public static List<String> statements(DataSource dataSource, DriverTypeEnum databaseType, MigrationTaskList tasks)
			throws SQLException {
		MigrationTaskList pending = historyExists(dataSource)
				? tasks.diff(new HapiMigrationDao(dataSource, databaseType, ModuleSchema.HISTORY_TABLE)
						.fetchSuccessfulMigrationVersions())
				: tasks;
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		DriverTypeEnum.ConnectionProperties connection =
				new DriverTypeEnum.ConnectionProperties(dataSource, transactions, databaseType);
		List<String> sql = new ArrayList<>();
		for (BaseTask task : pending) {
			task.setDriverType(databaseType);
			task.setDryRun(true);
			task.setConnectionProperties(connection);
			task.execute();
			task.getExecutedStatements().forEach(s -> sql.add(s.getSql()));
		}
		return sql;
	}

	private static boolean historyExists(DataSource dataSource) throws SQLException {
		try (Connection c = dataSource.getConnection();
				ResultSet tables = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), null, null)) {
			while (tables.next()) {
				if (ModuleSchema.HISTORY_TABLE.equalsIgnoreCase(tables.getString("TABLE_NAME"))) {
					return true;
				}
			}
			return false;
		}
	}
}
