package io.hapireindex.searchparam;

import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Readiness of custom search parameters in the module's table {@code HFR_SP_STATUS}, one row per canonical URL.
 *
 * <p>Why the database: every node must answer {@code $status} and warn on searches alike, and the state must
 * survive a restart; a job started on one node may end on another.
 */
public class SearchParameterReadinessStore {

	public static final String PENDING = "pending";
	public static final String REINDEXING = "reindexing";
	public static final String READY = "ready";
	public static final String FAILED = "failed";

	private static final int MAX_ERROR = 1900;

	/**
	 * One parameter's state.
	 *
	 * @param since when the parameter last became pending (a job must be created after this to cover it)
	 */
	public record Row(
			String url, String code, Set<String> bases, String status, String jobId, String error, Timestamp since,
			Timestamp updated) {}

	private final JdbcTemplate jdbc;
	private final DataSource dataSource;

	public SearchParameterReadinessStore(DataSource dataSource) {
		this.dataSource = dataSource;
		this.jdbc = new JdbcTemplate(dataSource);
	}

	/**
	 * Created or changed: pending again, whatever it was, forgetting any job.
	 *
	 * <p>On a connection of its own, committed at once. Why: this runs in {@code afterCommit} of HAPI's
	 * transaction, where Spring would hand JdbcTemplate that transaction's connection, whose work is never
	 * committed explicitly after that point.
	 */
	public void markPending(String url, String code, Set<String> bases) {
		Timestamp now = now();
		String baseList = String.join(",", new TreeSet<>(bases));
		String update = "UPDATE HFR_SP_STATUS SET CODE = ?, BASES = ?, STATUS = ?, JOB_ID = NULL, ERROR = NULL, SINCE = ?,"
				+ " UPDATED = ? WHERE URL = ?";
		independently(c -> {
			if (execute(c, update, code, baseList, PENDING, now, now, url) == 0) {
				try {
					execute(c, "INSERT INTO HFR_SP_STATUS (URL, CODE, BASES, STATUS, SINCE, UPDATED) VALUES (?, ?, ?, ?, ?, ?)",
							url, code, baseList, PENDING, now, now);
				} catch (SQLException e) {
					// another node inserted it in between
					execute(c, update, code, baseList, PENDING, now, now, url);
				}
			}
		});
	}

	/** Deleted (or no longer active). On a connection of its own, as {@link #markPending}. */
	public void remove(String url) {
		independently(c -> execute(c, "DELETE FROM HFR_SP_STATUS WHERE URL = ?", url));
	}

	private interface ConnectionWork {
		void run(Connection connection) throws SQLException;
	}

	private void independently(ConnectionWork work) {
		try (Connection c = dataSource.getConnection()) {
			c.setAutoCommit(true);
			work.run(c);
		} catch (SQLException e) {
			throw new IllegalStateException("Could not write search parameter readiness: " + e.getMessage(), e);
		}
	}

	private static int execute(Connection c, String sql, Object... args) throws SQLException {
		try (PreparedStatement ps = c.prepareStatement(sql)) {
			for (int i = 0; i < args.length; i++) {
				ps.setObject(i + 1, args[i]);
			}
			return ps.executeUpdate();
		}
	}

	/** Only a row still pending (or failed) since before the job was created moves: a newer change stays pending. */
	public boolean markReindexing(String url, String jobId, Timestamp jobCreated) {
		return jdbc.update(
						"UPDATE HFR_SP_STATUS SET STATUS = ?, JOB_ID = ?, ERROR = NULL, UPDATED = ?"
								+ " WHERE URL = ? AND STATUS IN (?, ?) AND SINCE <= ?",
						REINDEXING, jobId, now(), url, PENDING, FAILED, jobCreated)
				> 0;
	}

	/** Only rows this job is reindexing move, so a change made while it ran stays pending. */
	public int markEnded(String jobId, String status, String error) {
		return jdbc.update(
				"UPDATE HFR_SP_STATUS SET STATUS = ?, ERROR = ?, UPDATED = ? WHERE JOB_ID = ? AND STATUS = ?",
				status, error == null ? null : truncate(error), now(), jobId, REINDEXING);
	}

	public List<Row> all() {
		return jdbc.query("SELECT URL, CODE, BASES, STATUS, JOB_ID, ERROR, SINCE, UPDATED FROM HFR_SP_STATUS ORDER BY URL",
				(rs, i) -> new Row(
						rs.getString(1),
						rs.getString(2),
						new TreeSet<>(Arrays.stream(rs.getString(3).split(",")).filter(b -> !b.isBlank()).toList()),
						rs.getString(4),
						rs.getString(5),
						rs.getString(6),
						rs.getTimestamp(7),
						rs.getTimestamp(8)));
	}

	private static String truncate(String text) {
		return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR) : text;
	}

	private static Timestamp now() {
		return new Timestamp(System.currentTimeMillis());
	}
}
