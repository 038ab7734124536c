package io.hapireindex.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/** Which of HAPI's migrator database types a connection is, from what its JDBC driver reports. */
public final class DatabaseTypes {

	private DatabaseTypes() {}

	/** What a connection reports and the type that matched, or null when none did. */
	public record Detected(String product, DriverTypeEnum type) {}

	/**
	 * Why the product name and not the host's HAPI settings: plain Spring hosts configure HAPI in many ways, while
	 * every JDBC driver answers {@link DatabaseMetaData#getDatabaseProductName()}.
	 */
	public static Detected detect(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData metadata = connection.getMetaData();
			String product = metadata.getDatabaseProductName();
			String version = metadata.getDatabaseProductVersion();
			return new Detected(product + " " + version, fromProduct(product, version));
		}
	}

	static DriverTypeEnum fromProduct(String product, String version) {
		String name = product == null ? "" : product.toLowerCase(Locale.ROOT);
		String release = version == null ? "" : version.toLowerCase(Locale.ROOT);
		if (name.equals("h2")) {
			return DriverTypeEnum.H2_EMBEDDED;
		}
		if (name.equals("postgresql")) {
			// CockroachDB speaks PostgreSQL's protocol and names itself only in the version
			return release.contains("cockroach") ? DriverTypeEnum.COCKROACHDB_21_1 : DriverTypeEnum.POSTGRES_9_4;
		}
		if (name.startsWith("microsoft sql server")) {
			return DriverTypeEnum.MSSQL_2012;
		}
		if (name.startsWith("oracle")) {
			return DriverTypeEnum.ORACLE_12C;
		}
		if (name.equals("mariadb") || release.contains("mariadb")) {
			return DriverTypeEnum.MARIADB_10_1;
		}
		if (name.equals("mysql")) {
			return DriverTypeEnum.MYSQL_5_7;
		}
		if (name.startsWith("apache derby")) {
			return DriverTypeEnum.DERBY_EMBEDDED;
		}
		return null;
	}
}
