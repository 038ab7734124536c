package io.hapireindex.searchparam;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

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

	public SearchParameterReadinessStore(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("CREATE TABLE IF NOT EXISTS HFR_SP_STATUS ("
				+ "URL VARCHAR(500) NOT NULL PRIMARY KEY, CODE VARCHAR(200), BASES VARCHAR(2000) NOT NULL,"
				+ " STATUS VARCHAR(20) NOT NULL, JOB_ID VARCHAR(100), ERROR VARCHAR(2000),"
				+ " SINCE TIMESTAMP NOT NULL, UPDATED TIMESTAMP NOT NULL)");
	}

	/** Created or changed: pending again, whatever it was, forgetting any job. */
	public void markPending(String url, String code, Set<String> bases) {
		Timestamp now = now();
		String baseList = String.join(",", new TreeSet<>(bases));
		String sql = "UPDATE HFR_SP_STATUS SET CODE = ?, BASES = ?, STATUS = ?, JOB_ID = NULL, ERROR = NULL, SINCE = ?,"
				+ " UPDATED = ? WHERE URL = ?";
		if (jdbc.update(sql, code, baseList, PENDING, now, now, url) == 0) {
			try {
				jdbc.update(
						"INSERT INTO HFR_SP_STATUS (URL, CODE, BASES, STATUS, SINCE, UPDATED) VALUES (?, ?, ?, ?, ?, ?)",
						url, code, baseList, PENDING, now, now);
			} catch (DataIntegrityViolationException e) {
				// another node inserted it in between
				jdbc.update(sql, code, baseList, PENDING, now, now, url);
			}
		}
	}

	public void remove(String url) {
		jdbc.update("DELETE FROM HFR_SP_STATUS WHERE URL = ?", url);
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
						new TreeSet<>(Arrays.asList(rs.getString(3).split(","))),
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
