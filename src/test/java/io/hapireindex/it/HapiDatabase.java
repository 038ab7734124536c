package io.hapireindex.it;

import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads HAPI's tables directly, so tests check what is stored and not only what the API says.
 */
public class HapiDatabase {

	/** What must never change when a resource is reindexed. */
	public record StoredResource(long pid, long version, Timestamp updated, long versionRows, String body) {}

	private final JdbcTemplate jdbc;

	public HapiDatabase(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	public long pid(String resourceType, String fhirId) {
		return jdbc.queryForObject(
				"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = ? AND FHIR_ID = ?", Long.class, resourceType, fhirId);
	}

	public StoredResource stored(String resourceType, String fhirId) {
		long pid = pid(resourceType, fhirId);
		Map<String, Object> row =
				jdbc.queryForMap("SELECT RES_VER, RES_UPDATED FROM HFJ_RESOURCE WHERE RES_ID = ?", pid);
		long version = ((Number) row.get("RES_VER")).longValue();
		Long versionRows = jdbc.queryForObject("SELECT COUNT(*) FROM HFJ_RES_VER WHERE RES_ID = ?", Long.class, pid);
		Map<String, Object> body = jdbc.queryForMap(
				"SELECT RES_TEXT_VC, RES_ENCODING FROM HFJ_RES_VER WHERE RES_ID = ? AND RES_VER = ?", pid, version);
		return new StoredResource(
				pid, version, (Timestamp) row.get("RES_UPDATED"), versionRows, body.get("RES_ENCODING") + ":"
						+ body.get("RES_TEXT_VC"));
	}

	/** String index rows of one parameter, as "exact|normalized". */
	public Set<String> stringRows(long pid, String paramName) {
		return new TreeSet<>(jdbc.queryForList(
				"SELECT SP_VALUE_EXACT || '|' || SP_VALUE_NORMALIZED FROM HFJ_SPIDX_STRING"
						+ " WHERE RES_ID = ? AND SP_NAME = ? AND SP_MISSING = FALSE",
				String.class,
				pid,
				paramName));
	}

	/** Token index rows of one parameter, as "system|value". */
	public Set<String> tokenRows(long pid, String paramName) {
		return new TreeSet<>(jdbc.queryForList(
				"SELECT COALESCE(SP_SYSTEM, '') || '|' || COALESCE(SP_VALUE, '') FROM HFJ_SPIDX_TOKEN"
						+ " WHERE RES_ID = ? AND SP_NAME = ? AND SP_MISSING = FALSE",
				String.class,
				pid,
				paramName));
	}

	/** Primary keys of every index row of a resource in the given table (to prove untouched rows stay). */
	public List<Long> rowIds(String table, long pid) {
		return jdbc.queryForList("SELECT SP_ID FROM " + table + " WHERE RES_ID = ? ORDER BY SP_ID", Long.class, pid);
	}

	public long count(String sql, Object... args) {
		return jdbc.queryForObject(sql, Long.class, args);
	}

	/** batch2 job instances of any kind: a refused request must not add one. */
	public long jobInstances() {
		return count("SELECT COUNT(*) FROM BT2_JOB_INSTANCE");
	}

	/**
	 * A fingerprint of the resources with ids {@code minPid..maxPid} (their versions) and of their token, string and
	 * link index rows (ids and hashes), so a test can show a request changed none of them. A range, not the whole
	 * database, so jobs left running by other test classes cannot disturb it.
	 */
	public String indexFingerprint(long minPid, long maxPid) {
		String range = " WHERE RES_ID BETWEEN " + minPid + " AND " + maxPid;
		return jdbc.queryForObject("SELECT COUNT(*) || '/' || COALESCE(SUM(MOD(RES_ID, 100003) + RES_VER), 0) FROM HFJ_RESOURCE"
						+ range, String.class)
				+ " v" + count("SELECT COUNT(*) FROM HFJ_RES_VER" + range)
				+ " t" + jdbc.queryForObject("SELECT COUNT(*) || '/' || COALESCE(SUM(MOD(SP_ID, 100003) + MOD(RES_ID, 100003)"
						+ " + MOD(HASH_SYS_AND_VALUE, 100003)), 0) FROM HFJ_SPIDX_TOKEN" + range, String.class)
				+ " s" + jdbc.queryForObject("SELECT COUNT(*) || '/' || COALESCE(SUM(MOD(SP_ID, 100003) + MOD(RES_ID, 100003)"
						+ " + MOD(HASH_EXACT, 100003)), 0) FROM HFJ_SPIDX_STRING" + range, String.class)
				+ " l" + jdbc.queryForObject("SELECT COUNT(*) || '/' || COALESCE(SUM(MOD(PID, 100003) + MOD(TARGET_RESOURCE_ID, 100003)), 0)"
						+ " FROM HFJ_RES_LINK WHERE SRC_RESOURCE_ID BETWEEN " + minPid + " AND " + maxPid, String.class);
	}
}
