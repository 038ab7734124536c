package io.hapireindex.hapi;

import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedComboStringUnique;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedComboTokenNonUnique;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamCoords;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamDate;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamNumber;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamQuantity;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamQuantityNormalized;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamString;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamUri;
import ca.uhn.fhir.jpa.model.entity.ResourceLink;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import jakarta.persistence.EntityManager;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * HAPI's index tables, defined once: for each, its entity, its SQL table and resource-id column, the JPQL path of
 * its resource pid, the flag on {@link ResourceTable} that says a resource has rows in it, and the collection of
 * {@link ResourceIndexedSearchParams} that holds its rows. The queries the module runs on them are here too.
 *
 * <p>HAPI 8.12 makes token indexing pluggable (a compressed strategy with a dictionary table, #7944): on such a
 * server {@link #TOKEN}'s rows are no longer all in {@code HFJ_SPIDX_TOKEN} (docs/hapi-versions.md).
 */
public final class IndexTables {

	private IndexTables() {}

	/** One index table. {@code setFlag} is null for tables whose flag the module never sets. */
	public record Table<T>(
			Class<T> entity,
			String sqlName,
			String pidColumn,
			String pidPath,
			Predicate<ResourceTable> flag,
			BiConsumer<ResourceTable, Boolean> setFlag,
			Function<T, Long> pidOf,
			Function<ResourceIndexedSearchParams, Collection<T>> rowsIn) {

		/** The table's stored rows of these resources (one IN list: callers page and pad). */
		public List<T> storedRows(EntityManager entityManager, List<Long> pids) {
			return entityManager
					.createQuery("SELECT t FROM " + entity.getSimpleName() + " t WHERE t." + pidPath + " IN (:pids)", entity)
					.setParameter("pids", pids)
					.getResultList();
		}
	}

	public static final Table<ResourceIndexedSearchParamString> STRING = new Table<>(
			ResourceIndexedSearchParamString.class, "HFJ_SPIDX_STRING", "RES_ID", "myResourcePid",
			ResourceTable::isParamsStringPopulated, ResourceTable::setParamsStringPopulated,
			ResourceIndexedSearchParamString::getResourcePid, p -> p.myStringParams);
	public static final Table<ResourceIndexedSearchParamToken> TOKEN = new Table<>(
			ResourceIndexedSearchParamToken.class, "HFJ_SPIDX_TOKEN", "RES_ID", "myResourcePid",
			ResourceTable::isParamsTokenPopulated, ResourceTable::setParamsTokenPopulated,
			ResourceIndexedSearchParamToken::getResourcePid, p -> p.myTokenParams);
	public static final Table<ResourceIndexedSearchParamNumber> NUMBER = new Table<>(
			ResourceIndexedSearchParamNumber.class, "HFJ_SPIDX_NUMBER", "RES_ID", "myResourcePid",
			ResourceTable::isParamsNumberPopulated, ResourceTable::setParamsNumberPopulated,
			ResourceIndexedSearchParamNumber::getResourcePid, p -> p.myNumberParams);
	public static final Table<ResourceIndexedSearchParamQuantity> QUANTITY = new Table<>(
			ResourceIndexedSearchParamQuantity.class, "HFJ_SPIDX_QUANTITY", "RES_ID", "myResourcePid",
			ResourceTable::isParamsQuantityPopulated, ResourceTable::setParamsQuantityPopulated,
			ResourceIndexedSearchParamQuantity::getResourcePid, p -> p.myQuantityParams);
	public static final Table<ResourceIndexedSearchParamQuantityNormalized> QUANTITY_NORMALIZED = new Table<>(
			ResourceIndexedSearchParamQuantityNormalized.class, "HFJ_SPIDX_QUANTITY_NRML", "RES_ID", "myResourcePid",
			e -> Boolean.TRUE.equals(e.isParamsQuantityNormalizedPopulated()),
			ResourceTable::setParamsQuantityNormalizedPopulated,
			ResourceIndexedSearchParamQuantityNormalized::getResourcePid, p -> p.myQuantityNormalizedParams);
	public static final Table<ResourceIndexedSearchParamDate> DATE = new Table<>(
			ResourceIndexedSearchParamDate.class, "HFJ_SPIDX_DATE", "RES_ID", "myResourcePid",
			ResourceTable::isParamsDatePopulated, ResourceTable::setParamsDatePopulated,
			ResourceIndexedSearchParamDate::getResourcePid, p -> p.myDateParams);
	public static final Table<ResourceIndexedSearchParamUri> URI = new Table<>(
			ResourceIndexedSearchParamUri.class, "HFJ_SPIDX_URI", "RES_ID", "myResourcePid",
			ResourceTable::isParamsUriPopulated, ResourceTable::setParamsUriPopulated,
			ResourceIndexedSearchParamUri::getResourcePid, p -> p.myUriParams);
	public static final Table<ResourceIndexedSearchParamCoords> COORDS = new Table<>(
			ResourceIndexedSearchParamCoords.class, "HFJ_SPIDX_COORDS", "RES_ID", "myResourcePid",
			ResourceTable::isParamsCoordsPopulated, ResourceTable::setParamsCoordsPopulated,
			ResourceIndexedSearchParamCoords::getResourcePid, p -> p.myCoordsParams);
	public static final Table<ResourceLink> LINK = new Table<>(
			ResourceLink.class, "HFJ_RES_LINK", "SRC_RESOURCE_ID", "mySourceResourcePid",
			ResourceTable::isHasLinks, null,
			link -> link.getSourceResourcePk().getId(), p -> p.myLinks);
	public static final Table<ResourceIndexedComboStringUnique> COMBO_UNIQUE = new Table<>(
			ResourceIndexedComboStringUnique.class, "HFJ_IDX_CMP_STRING_UNIQ", "RES_ID", "myResourceId",
			ResourceTable::isParamsComboStringUniquePresent, null,
			row -> row.getResource().getId().getId(), p -> p.myComboStringUniques);
	public static final Table<ResourceIndexedComboTokenNonUnique> COMBO_NON_UNIQUE = new Table<>(
			ResourceIndexedComboTokenNonUnique.class, "HFJ_IDX_CMB_TOK_NU", "RES_ID", "myResourceId",
			ResourceTable::isParamsComboTokensNonUniquePresent, null,
			row -> row.getResource().getId().getId(), p -> p.myComboTokenNonUnique);

	/** The tables of value parameters, whose rows carry a parameter name and hashes. */
	public static final List<Table<? extends BaseResourceIndexedSearchParam>> SEARCH_PARAMS =
			List.of(STRING, TOKEN, NUMBER, QUANTITY, QUANTITY_NORMALIZED, DATE, URI, COORDS);

	/** Every table a resource's index rows are in (presence rows, {@code HFJ_RES_PARAM_PRESENT}, aside). */
	public static final List<Table<?>> ALL = List.of(
			STRING, TOKEN, NUMBER, QUANTITY, QUANTITY_NORMALIZED, DATE, URI, COORDS, LINK, COMBO_UNIQUE, COMBO_NON_UNIQUE);

	/**
	 * Whether a value-parameter table has a row of these resources with one of these identity hashes: one plain
	 * query that stops at the first row (cheaper than an entity query when, as for a new parameter, there is none).
	 */
	public static boolean hasRowsWithHashes(JdbcTemplate jdbc, Table<? extends BaseResourceIndexedSearchParam> table,
			List<Long> pids, List<Long> hashes) {
		String sql = "SELECT " + table.pidColumn() + " FROM " + table.sqlName()
				+ " WHERE " + table.pidColumn() + " IN (" + ResourceTables.marks(pids.size()) + ")"
				+ " AND HASH_IDENTITY IN (" + ResourceTables.marks(hashes.size()) + ")";
		List<Object> args = new ArrayList<>(pids);
		args.addAll(hashes);
		return Boolean.TRUE.equals(jdbc.query(
				con -> {
					var ps = con.prepareStatement(sql);
					for (int i = 0; i < args.size(); i++) {
						ps.setObject(i + 1, args.get(i));
					}
					ps.setMaxRows(1);
					return ps;
				},
				ResultSet::next));
	}

	/** A value-parameter table's rows of these resources with one of these identity hashes. */
	public static List<BaseResourceIndexedSearchParam> storedRowsWithHashes(EntityManager entityManager,
			Table<? extends BaseResourceIndexedSearchParam> table, List<Long> pids, List<Long> hashes) {
		return entityManager
				.createQuery("SELECT t FROM " + table.entity().getSimpleName()
								+ " t WHERE t.myResourcePid IN (:pids) AND t.myHashIdentity IN (:hashes)",
						BaseResourceIndexedSearchParam.class)
				.setParameter("pids", pids)
				.setParameter("hashes", hashes)
				.getResultList();
	}

	/** One of HAPI's presence rows ({@code HFJ_RES_PARAM_PRESENT}, for ":missing" searches), as values. */
	public record PresenceRow(long pid, Long hashPresence, boolean present) {}

	/** The presence rows of these resources (one IN list: callers page and pad). */
	public static List<PresenceRow> storedPresenceRows(EntityManager entityManager, List<Long> pids) {
		return entityManager
				.createQuery("SELECT p.myResourcePid, p.myHashPresence, p.myPresent FROM SearchParamPresentEntity p"
						+ " WHERE p.myResourcePid IN (:pids)", Object[].class)
				.setParameter("pids", pids)
				.getResultList()
				.stream()
				.map(row -> new PresenceRow(((Number) row[0]).longValue(), (Long) row[1], Boolean.TRUE.equals(row[2])))
				.toList();
	}

	/**
	 * The pid of a link's target, with its partition, or null for a link to an absolute URL: HAPI 8.8's
	 * {@code ResourceLink.getTargetResourcePk()}, written with the getters HAPI 8.6 has too.
	 */
	public static JpaPid linkTarget(ResourceLink link) {
		Long pid = link.getTargetResourcePid();
		return pid == null ? null : JpaPid.fromId(pid, link.getTargetResourcePartitionId());
	}

	/** The table whose entity is this class. */
	@SuppressWarnings("unchecked")
	public static <T> Table<T> of(Class<T> entity) {
		return (Table<T>) ALL.stream()
				.filter(t -> t.entity().equals(entity))
				.findFirst()
				.orElseThrow(() -> new IllegalArgumentException("not an index table entity: " + entity.getName()));
	}
}
