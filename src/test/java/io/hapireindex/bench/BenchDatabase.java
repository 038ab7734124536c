package io.hapireindex.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where one data set lives: a PostgreSQL schema {@code bench_<size>} or an H2 file database under
 * {@code <out>/h2-<size>}. A marker table ({@value #MARKER}) records what was loaded, so a later run reuses a
 * data set that matches (size, seed, generator version) and wipes one that does not.
 */
public record BenchDatabase(String kind, String url, String user, String password, Path h2Dir) {

	static final String MARKER = "BENCH_DATASET";

	public static BenchDatabase of(String kind, int size, String pgBaseUrl, String pgUser, Path out) {
		return of(kind, schema(size), String.valueOf(size), pgBaseUrl, pgUser, out);
	}

	/**
	 * @param schema the PostgreSQL schema
	 * @param h2Name the H2 directory's suffix
	 */
	public static BenchDatabase of(String kind, String schema, String h2Name, String pgBaseUrl, String pgUser, Path out) {
		if (kind.equals("postgres")) {
			String sep = pgBaseUrl.contains("?") ? "&" : "?";
			return new BenchDatabase(kind, pgBaseUrl + sep + "currentSchema=" + schema, pgUser, "", null);
		}
		if (kind.equals("h2")) {
			Path dir = out.resolve("h2-" + h2Name).toAbsolutePath();
			return new BenchDatabase(kind, "jdbc:h2:file:" + dir.resolve("hapi"), "sa", "", dir);
		}
		throw new IllegalArgumentException("bench.db must be h2 or postgres, not " + kind);
	}

	static String schema(int size) {
		return "bench_" + (size % 1000 == 0 ? (size / 1000) + "k" : String.valueOf(size));
	}

	/** Spring properties that point the test host at this database. */
	public Map<String, Object> hostProperties() {
		Map<String, Object> p = new LinkedHashMap<>();
		p.put("test.db", kind);
		if (kind.equals("postgres")) {
			p.put("test.pg.url", url);
			p.put("test.pg.user", user);
			p.put("test.pg.password", password);
			p.put("test.pg.schema", url.substring(url.indexOf("currentSchema=") + "currentSchema=".length()));
		} else {
			p.put("test.h2.url", url);
		}
		return p;
	}

	/**
	 * The benchmark keeps its data sets in a database of their own: a schema of HAPI's next to the test suite's in
	 * one database makes Hibernate's schema update skip HAPI's sequences there (it finds them in the other schema).
	 */
	private void ensureDatabase(String adminUrl) throws SQLException {
		try (Connection c = DriverManager.getConnection(adminUrl, user, password)) {
			return;
		} catch (SQLException missing) {
			if (!"3D000".equals(missing.getSQLState())) {
				throw missing;
			}
		}
		String database = adminUrl.replaceFirst(".*/([^/?]+)(\\?.*)?$", "$1");
		String maintenance = adminUrl.replaceFirst("/[^/?]+(\\?.*)?$", "/postgres");
		try (Connection c = DriverManager.getConnection(maintenance, user, password); Statement s = c.createStatement()) {
			s.execute("CREATE DATABASE " + database);
		}
	}

	/**
	 * True when the stored data set was loaded with these settings; otherwise the database is emptied (and, on
	 * PostgreSQL, the schema created) so the server starts on a clean one.
	 */
	public boolean reuseOrWipe(int size, long seed, int version) throws SQLException, IOException {
		if (kind.equals("postgres")) {
			String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
			String admin = url.substring(0, url.indexOf("currentSchema=") - 1);
			ensureDatabase(admin);
			try (Connection c = DriverManager.getConnection(admin, user, password); Statement s = c.createStatement()) {
				s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
				if (matches(c, schema + "." + MARKER, size, seed, version)) {
					return true;
				}
				s.execute("DROP SCHEMA " + schema + " CASCADE");
				s.execute("CREATE SCHEMA " + schema);
			}
			return false;
		}
		if (Files.exists(h2Dir)) {
			boolean match;
			try (Connection c = DriverManager.getConnection(url, user, password)) {
				match = matches(c, MARKER, size, seed, version);
			}
			if (match) {
				return true;
			}
			try (Stream<Path> files = Files.walk(h2Dir)) {
				for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.delete(f);
				}
			}
		}
		Files.createDirectories(h2Dir);
		return false;
	}

	private static boolean matches(Connection c, String table, int size, long seed, int version) {
		try (Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT SIZE_N, SEED, GEN_VERSION FROM " + table)) {
			return rs.next() && rs.getInt(1) == size && rs.getLong(2) == seed && rs.getInt(3) == version;
		} catch (SQLException noMarkerYet) {
			return false;
		}
	}
}
