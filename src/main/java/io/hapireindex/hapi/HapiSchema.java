package io.hapireindex.hapi;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Every column of HAPI's tables that the adapter's SQL reads or writes, grouped by the adapter class (the "touch")
 * that does. The startup check and the contract tests both read this list, so a new query here is checked in both.
 */
public final class HapiSchema {

	/** A column's type, as loosely as H2, PostgreSQL and the other databases HAPI supports agree on it. */
	public enum Kind {
		NUMBER,
		TEXT,
		TIME,
		BOOLEAN
	}

	public record Column(String table, String name, Kind kind) {}

	/** The columns one adapter class relies on. */
	public record Touch(String name, List<Column> columns) {}

	private static final List<Touch> TOUCHES = List.of(
			new Touch("ResourceTables (SQL on HFJ_RESOURCE)", List.of(
					new Column("HFJ_RESOURCE", "RES_ID", Kind.NUMBER),
					new Column("HFJ_RESOURCE", "FHIR_ID", Kind.TEXT),
					new Column("HFJ_RESOURCE", "RES_TYPE", Kind.TEXT),
					new Column("HFJ_RESOURCE", "RES_VER", Kind.NUMBER),
					new Column("HFJ_RESOURCE", "RES_DELETED_AT", Kind.TIME),
					new Column("HFJ_RESOURCE", "PARTITION_ID", Kind.NUMBER))),
			new Touch("IndexTables (SQL on HAPI's index tables)", indexColumns()),
			new Touch("Batch2Tables (SQL on BT2_JOB_INSTANCE)", List.of(
					new Column("BT2_JOB_INSTANCE", "ID", Kind.TEXT),
					new Column("BT2_JOB_INSTANCE", "STAT", Kind.TEXT),
					new Column("BT2_JOB_INSTANCE", "JOB_CANCELLED", Kind.BOOLEAN))),
			new Touch("Batch2Tables (SQL on BT2_WORK_CHUNK)", List.of(
					new Column("BT2_WORK_CHUNK", "ID", Kind.TEXT),
					new Column("BT2_WORK_CHUNK", "INSTANCE_ID", Kind.TEXT),
					new Column("BT2_WORK_CHUNK", "DEFINITION_ID", Kind.TEXT),
					new Column("BT2_WORK_CHUNK", "STAT", Kind.TEXT),
					new Column("BT2_WORK_CHUNK", "CREATE_TIME", Kind.TIME),
					new Column("BT2_WORK_CHUNK", "START_TIME", Kind.TIME),
					new Column("BT2_WORK_CHUNK", "END_TIME", Kind.TIME),
					new Column("BT2_WORK_CHUNK", "NEXT_POLL_TIME", Kind.TIME))),
			new Touch("TerminologyTables (SQL on TRM_VALUESET)", List.of(
					new Column("TRM_VALUESET", "RES_ID", Kind.NUMBER),
					new Column("TRM_VALUESET", "EXPANSION_STATUS", Kind.TEXT))));

	private HapiSchema() {}

	public static List<Touch> touches() {
		return TOUCHES;
	}

	private static List<Column> indexColumns() {
		List<Column> columns = new ArrayList<>();
		for (IndexTables.Table<?> table : IndexTables.ALL) {
			columns.add(new Column(table.sqlName(), table.pidColumn(), Kind.NUMBER));
		}
		for (IndexTables.Table<?> table : IndexTables.SEARCH_PARAMS) {
			columns.add(new Column(table.sqlName(), "HASH_IDENTITY", Kind.NUMBER));
		}
		return columns;
	}

	/**
	 * What of the list is missing or of another kind in this database: one line per column, naming its touch.
	 * Empty when everything is as the adapter expects.
	 *
	 * @param checkKinds also compare column types (the contract tests do; the startup check only wants existence)
	 */
	public static List<String> problems(DataSource dataSource, boolean checkKinds) throws SQLException {
		List<String> problems = new ArrayList<>();
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData metadata = connection.getMetaData();
			String schema = schemaOf(connection);
			Map<String, Map<String, Integer>> tables = new HashMap<>();
			for (Touch touch : TOUCHES) {
				for (Column column : touch.columns()) {
					Map<String, Integer> found = tables.computeIfAbsent(column.table(), t -> columnsOf(metadata, schema, t));
					Integer type = found.get(column.name());
					if (found.isEmpty()) {
						problems.add(touch.name() + ": table " + column.table() + " not found");
					} else if (type == null) {
						problems.add(touch.name() + ": column " + column.table() + "." + column.name() + " not found");
					} else if (checkKinds && kindOf(type).filter(column.kind()::equals).isEmpty()) {
						problems.add(touch.name() + ": column " + column.table() + "." + column.name() + " is of JDBC type "
								+ type + ", expected " + column.kind());
					}
				}
			}
		}
		return problems.stream().distinct().toList();
	}

	private static String schemaOf(Connection connection) {
		try {
			return connection.getSchema();
		} catch (SQLException | AbstractMethodError e) {
			return null;
		}
	}

	/** Column name (upper case) to JDBC type; empty if the table does not exist. */
	private static Map<String, Integer> columnsOf(DatabaseMetaData metadata, String schema, String table) {
		for (String name : Stream.of(table, table.toLowerCase(Locale.ROOT)).distinct().toList()) {
			for (String inSchema : schema == null ? new String[] {null} : new String[] {schema, null}) {
				Map<String, Integer> columns = new HashMap<>();
				try (ResultSet rs = metadata.getColumns(null, inSchema, name, null)) {
					while (rs.next()) {
						columns.put(rs.getString("COLUMN_NAME").toUpperCase(Locale.ROOT), rs.getInt("DATA_TYPE"));
					}
				} catch (SQLException e) {
					throw new IllegalStateException("Reading the columns of " + table + " failed: " + e.getMessage(), e);
				}
				if (!columns.isEmpty()) {
					return columns;
				}
			}
		}
		return Map.of();
	}

	private static Optional<Kind> kindOf(int jdbcType) {
		return Optional.ofNullable(switch (jdbcType) {
			case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT, Types.NUMERIC, Types.DECIMAL -> Kind.NUMBER;
			case Types.VARCHAR, Types.NVARCHAR, Types.CHAR, Types.NCHAR, Types.LONGVARCHAR, Types.CLOB -> Kind.TEXT;
			case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE -> Kind.TIME;
			case Types.BOOLEAN, Types.BIT -> Kind.BOOLEAN;
			default -> null;
		});
	}
}
