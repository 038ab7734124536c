package io.hapireindex.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.MigrationTaskList;
import ca.uhn.fhir.jpa.migrate.taskdef.ColumnTypeEnum;
import ca.uhn.fhir.jpa.migrate.taskdef.ColumnTypeToDriverTypeToSqlType;
import ca.uhn.fhir.jpa.migrate.tasks.api.BaseMigrationTasks;
import ca.uhn.fhir.jpa.migrate.tasks.api.Builder;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The module's tables as tasks of HAPI's migrator, which renders each statement for the database at hand.
 *
 * <p>A later release changes the schema by adding a {@link Release} and tasks under it; never by editing the tasks
 * of a release that shipped, whose versions are recorded in {@link ModuleSchema#HISTORY_TABLE} of every database
 * they ran on.
 *
 * <p>Release 1 is the schema the module created by hand before it had migrations, column for column and index for
 * index, so a database made that way is adopted as it is: HAPI's table and index tasks skip what exists. Two
 * differences, neither visible to the module's statements: columns have no DEFAULT (every insert names every
 * column), and the generated ids use each database's own identity syntax.
 */
public final class ModuleSchemaTasks extends BaseMigrationTasks<ModuleSchemaTasks.Release> {

	/** Releases of the module's schema, oldest first. */
	public enum Release {
		/** Before the module's first table; never has tasks. */
		V0,
		V1
	}

	public static final String JOB_SCOPE = "HFR_JOB_SCOPE";
	public static final String JOB_ERROR = "HFR_JOB_ERROR";
	public static final String JOB_BATCH = "HFR_JOB_BATCH";
	public static final String JOB_SLOT = "HFR_JOB_SLOT";
	public static final String NODE = "HFR_NODE";
	public static final String CHUNK_RUN = "HFR_CHUNK_RUN";
	public static final String SP_STATUS = "HFR_SP_STATUS";

	/**
	 * The databases the schema is written for: those HAPI's migrator types columns for, less Derby (not a HAPI
	 * server database). CockroachDB is left out because the migrator has no column types for it.
	 */
	public static final Set<DriverTypeEnum> DATABASES = Collections.unmodifiableSet(EnumSet.of(
			DriverTypeEnum.H2_EMBEDDED,
			DriverTypeEnum.POSTGRES_9_4,
			DriverTypeEnum.MSSQL_2012,
			DriverTypeEnum.ORACLE_12C,
			DriverTypeEnum.MARIADB_10_1,
			DriverTypeEnum.MYSQL_5_7));

	/** Every table of the module, in creation order. */
	public static final List<String> TABLES = List.of(JOB_SCOPE, JOB_ERROR, JOB_BATCH, JOB_SLOT, NODE, CHUNK_RUN, SP_STATUS);

	public ModuleSchemaTasks() {
		release1();
	}

	/** Every task of every release, in order. */
	public MigrationTaskList allTasks() {
		return getTaskList(Release.V0, Release.values()[Release.values().length - 1]);
	}

	private void release1() {
		Builder v1 = forVersion(Release.V1);

		Builder.BuilderAddTableByColumns scope = v1.addTableByColumns("20261207.1", JOB_SCOPE, "JOB_ID", "SCOPE_IDX");
		scope.addColumn("JOB_ID").nonNullable().type(ColumnTypeEnum.STRING, 100);
		scope.addColumn("SCOPE_IDX").nonNullable().type(ColumnTypeEnum.INT);
		scope.addColumn("RES_TYPE").nonNullable().type(ColumnTypeEnum.STRING, 100);
		scope.addColumn("LABEL").nonNullable().type(ColumnTypeEnum.STRING, 2000);
		scope.addColumn("TOTAL").nonNullable().type(ColumnTypeEnum.LONG);
		scope.addColumn("REINDEXED").nonNullable().type(ColumnTypeEnum.LONG);
		scope.addColumn("FAILED").nonNullable().type(ColumnTypeEnum.LONG);
		scope.addColumn("SKIPPED").nonNullable().type(ColumnTypeEnum.LONG);
		scope.addColumn("LOADED").nonNullable().type(ColumnTypeEnum.BOOLEAN);
		scope.addColumn("RETRIES").nonNullable().type(ColumnTypeEnum.LONG);
		scope.addColumn("CHANGED").nonNullable().type(ColumnTypeEnum.LONG);

		// the migrator has no identity column type: one statement per database, the other columns typed as it types them
		Builder.BuilderAddTableRawSql error = v1.addTableRawSql("20261207.2", JOB_ERROR);
		for (DriverTypeEnum db : DATABASES) {
			error.addSql(db, identityTable(db, JOB_ERROR,
					column(db, "JOB_ID", ColumnTypeEnum.STRING, 100, false),
					column(db, "RESOURCE_ID", ColumnTypeEnum.STRING, 300, true),
					column(db, "MESSAGE", ColumnTypeEnum.STRING, 2000, false),
					column(db, "CREATED", ColumnTypeEnum.DATE_TIMESTAMP, null, false)));
		}
		// offline: the table is new (or the index exists already), and an online build on SQL Server is a T-SQL block
		v1.onTable(JOB_ERROR).addIndex("20261207.3", "IDX_HFR_JOB_ERROR_JOB").unique(false).online(false).withColumns("JOB_ID");

		Builder.BuilderAddTableRawSql batch = v1.addTableRawSql("20261207.4", JOB_BATCH);
		for (DriverTypeEnum db : DATABASES) {
			batch.addSql(db, identityTable(db, JOB_BATCH,
					column(db, "JOB_ID", ColumnTypeEnum.STRING, 100, false),
					column(db, "SCOPE_IDX", ColumnTypeEnum.INT, null, false),
					column(db, "RESOURCES", ColumnTypeEnum.INT, null, false),
					column(db, "FIRST_PID", ColumnTypeEnum.LONG, null, false),
					column(db, "LAST_PID", ColumnTypeEnum.LONG, null, false),
					column(db, "STARTED_MS", ColumnTypeEnum.LONG, null, false),
					column(db, "ENDED_MS", ColumnTypeEnum.LONG, null, false),
					column(db, "NODE", ColumnTypeEnum.STRING, 300, true)));
		}
		v1.onTable(JOB_BATCH).addIndex("20261207.5", "IDX_HFR_JOB_BATCH_JOB").unique(false).online(false).withColumns("JOB_ID");
		// a page is counted once, however often its chunk runs (a chunk re-run after its node died)
		v1.onTable(JOB_BATCH)
				.addIndex("20261207.6", "IDX_HFR_JOB_BATCH_PAGE")
				.unique(true)
				.online(false)
				.withColumns("JOB_ID", "SCOPE_IDX", "FIRST_PID");

		Builder.BuilderAddTableByColumns slot = v1.addTableByColumns("20261207.7", JOB_SLOT, "JOB_ID", "SLOT");
		slot.addColumn("JOB_ID").nonNullable().type(ColumnTypeEnum.STRING, 100);
		slot.addColumn("SLOT").nonNullable().type(ColumnTypeEnum.INT);
		slot.addColumn("HOLDER").nullable().type(ColumnTypeEnum.STRING, 300);
		slot.addColumn("LEASE_UNTIL").nullable().type(ColumnTypeEnum.DATE_TIMESTAMP);
		slot.addColumn("NOT_BEFORE_MS").nonNullable().type(ColumnTypeEnum.LONG);

		Builder.BuilderAddTableByColumns node = v1.addTableByColumns("20261207.8", NODE, "NODE");
		node.addColumn("NODE").nonNullable().type(ColumnTypeEnum.STRING, 300);
		node.addColumn("HEARTBEAT_MS").nonNullable().type(ColumnTypeEnum.LONG);

		Builder.BuilderAddTableByColumns run = v1.addTableByColumns("20261207.9", CHUNK_RUN, "CHUNK_ID");
		run.addColumn("CHUNK_ID").nonNullable().type(ColumnTypeEnum.STRING, 100);
		run.addColumn("NODE").nonNullable().type(ColumnTypeEnum.STRING, 300);
		run.addColumn("STARTED_MS").nonNullable().type(ColumnTypeEnum.LONG);

		Builder.BuilderAddTableByColumns sp = v1.addTableByColumns("20261207.10", SP_STATUS, "URL");
		sp.addColumn("URL").nonNullable().type(ColumnTypeEnum.STRING, 500);
		sp.addColumn("CODE").nullable().type(ColumnTypeEnum.STRING, 200);
		sp.addColumn("BASES").nonNullable().type(ColumnTypeEnum.STRING, 2000);
		sp.addColumn("STATUS").nonNullable().type(ColumnTypeEnum.STRING, 20);
		sp.addColumn("JOB_ID").nullable().type(ColumnTypeEnum.STRING, 100);
		sp.addColumn("ERROR").nullable().type(ColumnTypeEnum.STRING, 2000);
		sp.addColumn("SINCE").nonNullable().type(ColumnTypeEnum.DATE_TIMESTAMP);
		sp.addColumn("UPDATED").nonNullable().type(ColumnTypeEnum.DATE_TIMESTAMP);
	}

	/** A table whose primary key {@code ID} is a 64-bit number the database assigns on insert. */
	static String identityTable(DriverTypeEnum db, String table, String... columns) {
		String id = switch (db) {
			case H2_EMBEDDED, POSTGRES_9_4 -> "ID bigint generated by default as identity";
			case ORACLE_12C -> "ID number(19,0) generated by default as identity";
			case MSSQL_2012 -> "ID bigint identity(1,1) not null";
			case MARIADB_10_1, MYSQL_5_7 -> "ID bigint not null auto_increment";
			default -> throw new IllegalArgumentException("The module's schema is not written for " + db);
		};
		String engine = db == DriverTypeEnum.MARIADB_10_1 || db == DriverTypeEnum.MYSQL_5_7 ? " engine=InnoDB" : "";
		return "create table " + table + " (" + id + ", " + String.join(", ", columns) + ", primary key (ID))" + engine;
	}

	/** One column typed as HAPI's migrator types it for the database. */
	static String column(DriverTypeEnum db, String name, ColumnTypeEnum type, Integer length, boolean nullable) {
		String sqlType = ColumnTypeToDriverTypeToSqlType.getColumnTypeToDriverTypeToSqlType().get(type).get(db);
		if (length != null) {
			sqlType = sqlType.replace("?", Integer.toString(length));
		}
		return name + " " + sqlType + (nullable ? "" : " not null");
	}
}
