package io.hapireindex.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Prints the SQL that creates or upgrades the module's tables, for a DBA when the server's database user may not
 * create tables ({@code hapi-fhir-reindex.schema-auto-migrate=false}).
 *
 * <pre>
 * java -cp hapi-fhir-reindex.jar:&lt;HAPI's jars&gt; io.hapireindex.schema.PrintSchemaSql DATABASE_TYPE [JDBC_URL [USER [PASSWORD]]]
 * </pre>
 *
 * <p>Without a URL: every statement for an empty database, worked out on an in-memory H2 database in that
 * database's compatibility mode (H2's jar must be on the class path; the HAPI starter ships it). With a URL: only
 * what that database lacks, asked of it read-only; nothing is written there.
 */
public final class PrintSchemaSql {

	/** H2's compatibility mode for each type: only "does this table or index exist" is asked of it. */
	private static final Map<DriverTypeEnum, String> H2_MODES = Map.of(
			DriverTypeEnum.H2_EMBEDDED, "REGULAR",
			DriverTypeEnum.POSTGRES_9_4, "PostgreSQL",
			DriverTypeEnum.MSSQL_2012, "MSSQLServer",
			DriverTypeEnum.ORACLE_12C, "Oracle",
			DriverTypeEnum.MARIADB_10_1, "MariaDB",
			DriverTypeEnum.MYSQL_5_7, "MySQL");

	private PrintSchemaSql() {}

	public static void main(String[] args) throws Exception {
		if (args.length < 1 || args.length > 4) {
			usage(System.err);
			System.exit(2);
		}
		DriverTypeEnum type;
		try {
			type = DriverTypeEnum.valueOf(args[0]);
		} catch (IllegalArgumentException e) {
			type = null;
		}
		if (type == null || !ModuleSchemaTasks.DATABASES.contains(type)) {
			System.err.println("Unknown database type '" + args[0] + "'.");
			usage(System.err);
			System.exit(2);
		}
		String url = args.length > 1 ? args[1] : "jdbc:h2:mem:hfr-print-schema;MODE=" + H2_MODES.get(type);
		DriverManagerDataSource dataSource = new DriverManagerDataSource(
				url, args.length > 2 ? args[2] : (args.length > 1 ? null : "sa"), args.length > 3 ? args[3] : "");
		List<String> statements = SchemaDryRun.statements(dataSource, type);
		System.out.println(render(type, args.length > 1 ? url : null, statements));
	}

	static String render(DriverTypeEnum type, String url, List<String> statements) {
		StringBuilder out = new StringBuilder();
		out.append("-- hapi-fhir-reindex: the module's tables for ").append(type);
		out.append(url == null ? " (an empty database)" : " (what " + url + " lacks)").append('\n');
		out.append("-- ").append(statements.size()).append(" statement(s)\n");
		for (String sql : statements) {
			out.append(sql).append(";\n");
		}
		return out.toString();
	}

	private static void usage(PrintStream out) {
		out.println("Usage: java -cp <module jar>:<HAPI jars>[:h2.jar] " + PrintSchemaSql.class.getName()
				+ " DATABASE_TYPE [JDBC_URL [USER [PASSWORD]]]");
		out.println("DATABASE_TYPE: one of " + ModuleSchemaTasks.DATABASES);
		out.println("Without JDBC_URL: the SQL for an empty database (needs H2 on the class path).");
		out.println("With JDBC_URL: only what that database lacks; nothing is written to it.");
	}
}
