package io.hapireindex.hapi;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import jakarta.persistence.EntityManager;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import javax.sql.DataSource;

/**
 * The module's reads of HAPI's resource table ({@code HFJ_RESOURCE}, entity {@link ResourceTable}) where HAPI's
 * DAOs would cost too much for a reindex: a page of ids at a time, no entity materialised, no HAPI cache filled.
 *
 * <p>Methods taking a {@code page} put all of its values in one IN list; callers page (and pad) them.
 */
public final class ResourceTables {

	/** Whether each data source is SQL Server's; weak, so a closed test context's data source can go. */
	private static final Map<DataSource, Boolean> SQL_SERVER = new WeakHashMap<>();

	private final JdbcTemplate jdbc;

	public ResourceTables(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
	}

	public ResourceTables(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** pid to FHIR id (no type) of the page's resources that exist and are not deleted. */
	public Map<Long, String> liveFhirIds(List<Long> page) {
		Map<Long, String> live = new HashMap<>();
		jdbc.query(
				"SELECT RES_ID, FHIR_ID FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS NULL AND RES_ID IN (" + marks(page.size()) + ")",
				rs -> {
					live.put(rs.getLong(1), rs.getString(2));
				},
				page.toArray());
		return live;
	}

	/**
	 * pid to current version of the page's resources that exist and are not deleted, their rows locked
	 * ({@code FOR UPDATE}) until the caller's transaction ends.
	 */
	public Map<Long, Long> lockCurrentVersions(List<Long> page) {
		Map<Long, Long> current = new HashMap<>();
		jdbc.query(
				lockCurrentVersionsSql(isSqlServer(), page.size()),
				rs -> {
					current.put(rs.getLong(1), rs.getLong(2));
				},
				page.toArray());
		return current;
	}

	/**
	 * The statement of {@link #lockCurrentVersions}: SQL Server has no {@code SELECT ... FOR UPDATE} outside a cursor
	 * and takes the same row lock as a table hint; PostgreSQL, Oracle, MariaDB/MySQL and H2 take {@code FOR UPDATE}.
	 */
	static String lockCurrentVersionsSql(boolean sqlServer, int size) {
		String where = " WHERE RES_DELETED_AT IS NULL AND RES_ID IN (" + marks(size) + ")";
		return sqlServer
				? "SELECT RES_ID, RES_VER FROM HFJ_RESOURCE WITH (UPDLOCK, ROWLOCK)" + where
				: "SELECT RES_ID, RES_VER FROM HFJ_RESOURCE" + where + " FOR UPDATE";
	}

	/**
	 * Read once per data source: callers make a {@code ResourceTables} per batch, and the lock runs once per page,
	 * so asking the connection's metadata each time would cost a pool round trip per page for an answer that never
	 * changes.
	 */
	private boolean isSqlServer() {
		DataSource dataSource = jdbc.getDataSource();
		if (dataSource == null) {
			return productIsSqlServer();
		}
		synchronized (SQL_SERVER) {
			Boolean known = SQL_SERVER.get(dataSource);
			if (known != null) {
				return known;
			}
		}
		boolean sqlServer = productIsSqlServer();
		synchronized (SQL_SERVER) {
			SQL_SERVER.put(dataSource, sqlServer);
		}
		return sqlServer;
	}

	private boolean productIsSqlServer() {
		return Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) connection -> connection.getMetaData()
				.getDatabaseProductName()
				.toLowerCase(Locale.ROOT)
				.contains("sql server")));
	}

	/** {@code Type/id} of each of the page's resources that exists, deleted or not, by pid. */
	public Map<Long, String> typedFhirIds(List<Long> page) {
		Map<Long, String> ids = new HashMap<>();
		jdbc.query("SELECT RES_ID, RES_TYPE, FHIR_ID FROM HFJ_RESOURCE WHERE RES_ID IN (" + marks(page.size()) + ")",
				rs -> {
					ids.put(rs.getLong(1), rs.getString(2) + "/" + rs.getString(3));
				},
				page.toArray());
		return ids;
	}

	/** The FHIR ids of every resource of the type that is not deleted. */
	public List<String> liveFhirIdsOfType(String resourceType) {
		return jdbc.queryForList(
				"SELECT FHIR_ID FROM HFJ_RESOURCE WHERE RES_TYPE = ? AND RES_DELETED_AT IS NULL", String.class, resourceType);
	}

	/**
	 * The next page of pids, in pid order, of the type's resources that are not deleted and are in the partition
	 * selection.
	 *
	 * @param after the last pid of the previous page ({@link Long#MIN_VALUE} for the first)
	 */
	public List<Long> nextLivePids(String resourceType, PartitionFilter partitions, long after, int pageSize) {
		String sql = "SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = ? AND RES_DELETED_AT IS NULL" + partitions.sql
				+ " AND RES_ID > ? ORDER BY RES_ID";
		List<Object> args = new ArrayList<>();
		args.add(resourceType);
		args.addAll(partitions.args);
		args.add(after);
		return jdbc.query(
				con -> {
					var ps = con.prepareStatement(sql);
					for (int i = 0; i < args.size(); i++) {
						ps.setObject(i + 1, args.get(i));
					}
					ps.setMaxRows(pageSize);
					return ps;
				},
				(rs, i) -> rs.getLong(1));
	}

	/** FHIR id (no type) to pid of the named resources of the type that are not deleted and in the partitions. */
	public Map<String, Long> livePidsByFhirId(String resourceType, List<String> fhirIds, PartitionFilter partitions) {
		List<Object> args = new ArrayList<>();
		args.add(resourceType);
		args.addAll(fhirIds);
		args.addAll(partitions.args);
		Map<String, Long> found = new HashMap<>();
		jdbc.query(
				"SELECT FHIR_ID, RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = ? AND FHIR_ID IN (" + marks(fhirIds.size()) + ")"
						+ " AND RES_DELETED_AT IS NULL" + partitions.sql,
				rs -> {
					found.put(rs.getString(1), rs.getLong(2));
				},
				args.toArray());
		return found;
	}

	/**
	 * The entities of the pids, each with its current version entity set and its tags fetched, in one query: HAPI's
	 * prefetch ({@code preFetchResources(ids, false)}) plus the tags. A pid that does not exist is missing.
	 */
	public static List<ResourceTable> loadWithCurrentVersionAndTags(EntityManager entityManager, List<JpaPid> page) {
		List<ResourceTable> found = new ArrayList<>(page.size());
		entityManager
				.createQuery("SELECT r, h FROM ResourceTable r LEFT JOIN FETCH r.myTags t LEFT JOIN FETCH t.myTag"
						+ " LEFT JOIN ResourceHistoryTable h"
						+ " ON r.myVersion = h.myResourceVersion AND r = h.myResourceTable"
						+ " WHERE r.myPid IN (:ids)", Object[].class)
				.setParameter("ids", page)
				.getResultList()
				.forEach(row -> {
					ResourceTable entity = (ResourceTable) row[0];
					entity.setCurrentVersionEntity((ResourceHistoryTable) row[1]);
					found.add(entity);
				});
		return found;
	}

	/** A partition selection as SQL on HAPI's resource table; the default partition may be stored as NULL. */
	public static final class PartitionFilter {
		private static final PartitionFilter ALL = new PartitionFilter("", List.of());

		private final String sql;
		private final List<Object> args;

		private PartitionFilter(String sql, List<Object> args) {
			this.sql = sql;
			this.args = List.copyOf(args);
		}

		public static PartitionFilter of(RequestPartitionId partition, PartitionSettings partitionSettings) {
			if (partition == null || partition.isAllPartitions() || !partitionSettings.isPartitioningEnabled()) {
				return ALL;
			}
			List<String> terms = new ArrayList<>();
			List<Object> args = new ArrayList<>();
			for (Integer id : partition.getPartitionIds()) {
				if (id == null || id.equals(partitionSettings.getDefaultPartitionId())) {
					terms.add("PARTITION_ID IS NULL");
					if (partitionSettings.getDefaultPartitionId() != null) {
						terms.add("PARTITION_ID = ?");
						args.add(partitionSettings.getDefaultPartitionId());
					}
				} else {
					terms.add("PARTITION_ID = ?");
					args.add(id);
				}
			}
			return new PartitionFilter(" AND (" + String.join(" OR ", terms) + ")", args);
		}
	}

	/** {@code ?,?,...} for a JDBC {@code IN} list of {@code count} values. */
	public static String marks(int count) {
		return String.join(",", java.util.Collections.nCopies(count, "?"));
	}
}
