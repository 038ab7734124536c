package io.hapireindex.hapi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch lock's statement in the form each database takes, run on H2 in that database's compatibility mode:
 * SQL Server's table hint (a real SQL Server rejects {@code SELECT ... FOR UPDATE}), {@code FOR UPDATE} elsewhere.
 */
class ResourceTablesLockSqlTest {

	@ParameterizedTest(name = "{0}")
	@CsvSource({"MSSQLServer, true", "Oracle, false", "PostgreSQL, false", "Regular, false"})
	void theLockStatementOfEachDatabaseReadsTheLiveRowsOfThePage(String mode, boolean sqlServer) throws Exception {
		String sql = ResourceTables.lockCurrentVersionsSql(sqlServer, 3);
		assertThat(sql).as("lock statement").contains(sqlServer ? "WITH (UPDLOCK, ROWLOCK)" : "FOR UPDATE");
		if (sqlServer) {
			assertThat(sql).doesNotContain("FOR UPDATE");
		}
		try (Connection c = DriverManager.getConnection("jdbc:h2:mem:lock" + mode + ";MODE=" + mode)) {
			try (Statement ddl = c.createStatement()) {
				ddl.execute("CREATE TABLE HFJ_RESOURCE (RES_ID BIGINT PRIMARY KEY, RES_VER BIGINT, RES_DELETED_AT TIMESTAMP)");
				ddl.execute("INSERT INTO HFJ_RESOURCE VALUES (1, 4, NULL), (2, 1, CURRENT_TIMESTAMP), (3, 7, NULL)");
			}
			c.setAutoCommit(false);
			Map<Long, Long> read = new HashMap<>();
			try (PreparedStatement ps = c.prepareStatement(sql)) {
				for (int i = 1; i <= 3; i++) {
					ps.setLong(i, i);
				}
				try (ResultSet rs = ps.executeQuery()) {
					while (rs.next()) {
						read.put(rs.getLong(1), rs.getLong(2));
					}
				}
			}
			c.rollback();
			assertThat(read).as("live rows and their versions (the deleted one left out)").containsExactlyInAnyOrderEntriesOf(Map.of(1L, 4L, 3L, 7L));
		}
	}
}
