package io.hapireindex.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;

/**
 * Every index row HAPI keeps for the stored resources, without surrogate keys and index timestamps, sorted by
 * all remaining columns and hashed: two snapshots of the same data are equal exactly when the index content is.
 * The rows are also written (gzip) so a mismatch can show where the two differ.
 */
record IndexSnapshot(String digest, Map<String, Long> rowsPerTable, Path file) {

	/** Index tables (those a given HAPI schema lacks are skipped), then the index flags of HFJ_RESOURCE. */
	static final List<String> TABLES = List.of(
			"HFJ_SPIDX_COORDS", "HFJ_SPIDX_DATE", "HFJ_SPIDX_NUMBER", "HFJ_SPIDX_QUANTITY", "HFJ_SPIDX_QUANTITY_NRML",
			"HFJ_SPIDX_STRING", "HFJ_SPIDX_TOKEN", "HFJ_SPIDX_URI", "HFJ_RES_LINK", "HFJ_IDX_CMP_STRING_UNIQ",
			"HFJ_IDX_CMB_TOK_NU", "HFJ_RES_PARAM_PRESENT", "HFJ_RESOURCE");

	/** Surrogate primary keys and the time a row was written: they differ between two equal reindexes. */
	static final Set<String> EXCLUDED = Set.of("SP_ID", "PID", "SP_UPDATED");

	static IndexSnapshot take(DataSource ds, Path file) throws SQLException, IOException {
		MessageDigest sha = sha256();
		Map<String, Long> counts = new LinkedHashMap<>();
		Files.createDirectories(file.getParent());
		try (Connection c = ds.getConnection();
				BufferedWriter out = new BufferedWriter(new OutputStreamWriter(
						new GZIPOutputStream(Files.newOutputStream(file), 1 << 16), StandardCharsets.UTF_8))) {
			c.setAutoCommit(false);
			for (String table : TABLES) {
				List<String> columns = columns(c, table);
				if (columns == null) {
					continue;
				}
				String cols = String.join(", ", columns);
				long n = 0;
				try (Statement s = c.createStatement()) {
					s.setFetchSize(2000);
					try (ResultSet rs = s.executeQuery("SELECT " + cols + " FROM " + table + " ORDER BY " + cols)) {
						StringBuilder line = new StringBuilder(256);
						while (rs.next()) {
							line.setLength(0);
							line.append(table);
							for (int i = 1; i <= columns.size(); i++) {
								line.append('\t').append(rs.getString(i));
							}
							line.append('\n');
							String text = line.toString();
							sha.update(text.getBytes(StandardCharsets.UTF_8));
							out.write(text);
							n++;
						}
					}
				}
				counts.put(table, n);
			}
			c.commit();
		}
		return new IndexSnapshot(HexFormat.of().formatHex(sha.digest()), counts, file);
	}

	/** The columns compared for a table, or null when the table does not exist here. */
	private static List<String> columns(Connection c, String table) throws SQLException {
		try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
			ResultSetMetaData md = rs.getMetaData();
			List<String> out = new ArrayList<>();
			for (int i = 1; i <= md.getColumnCount(); i++) {
				String name = md.getColumnName(i).toUpperCase();
				if (table.equals("HFJ_RESOURCE")) {
					// what reindexing may touch: the index presence flags and status; version and lastUpdated must stay
					if (name.equals("RES_ID") || name.equals("RES_TYPE") || name.equals("RES_VER")
							|| name.equals("RES_UPDATED") || name.startsWith("SP_")) {
						out.add(name);
					}
				} else if (!EXCLUDED.contains(name)) {
					out.add(name);
				}
			}
			return out;
		} catch (SQLException missing) {
			c.rollback();
			return null;
		}
	}

	long totalRows() {
		return rowsPerTable.values().stream().mapToLong(Long::longValue).sum();
	}

	/** Where {@code other} differs from this snapshot: row counts per table and the first differing rows. */
	String diff(IndexSnapshot other, int maxLines) throws IOException {
		StringBuilder sb = new StringBuilder();
		for (String table : rowsPerTable.keySet()) {
			long a = rowsPerTable.get(table);
			long b = other.rowsPerTable.getOrDefault(table, -1L);
			if (a != b) {
				sb.append(String.format("  %s: %d rows vs %d rows%n", table, a, b));
			}
		}
		try (BufferedReader ra = reader(file); BufferedReader rb = reader(other.file)) {
			List<String> onlyA = new ArrayList<>();
			List<String> onlyB = new ArrayList<>();
			String la = ra.readLine();
			String lb = rb.readLine();
			long line = 0;
			// both files are sorted by the database in the same order: walk them like a merge
			while ((la != null || lb != null) && onlyA.size() + onlyB.size() < maxLines) {
				line++;
				if (la != null && la.equals(lb)) {
					la = ra.readLine();
					lb = rb.readLine();
				} else if (lb == null || (la != null && la.compareTo(lb) < 0 && sameTable(la, lb))) {
					onlyA.add(la);
					la = ra.readLine();
				} else {
					onlyB.add(lb);
					lb = rb.readLine();
				}
			}
			onlyA.forEach(l -> sb.append("  - ").append(l).append('\n'));
			onlyB.forEach(l -> sb.append("  + ").append(l).append('\n'));
		}
		return sb.toString();
	}

	private static boolean sameTable(String a, String b) {
		return a.substring(0, a.indexOf('\t')).equals(b.substring(0, b.indexOf('\t')));
	}

	private static BufferedReader reader(Path p) throws IOException {
		return new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(p)), StandardCharsets.UTF_8));
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
