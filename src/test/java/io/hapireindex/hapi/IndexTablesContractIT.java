package io.hapireindex.hapi;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import io.hapireindex.it.HapiServerTestBase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract of {@link IndexTables} and {@link SearchParamExtraction}: for each of HAPI's index tables, the entity,
 * the JPQL pid path, the SQL table and columns, the resource flag and the collection of extracted rows belong
 * together, as HAPI writes them.
 */
class IndexTablesContractIT extends HapiServerTestBase {

	@Autowired
	private EntityManagerFactory entityManagerFactory;

	@Autowired
	private PlatformTransactionManager transactionManager;

	@Autowired
	private ApplicationContext context;

	@Autowired
	private IJpaStorageResourceParser resourceParser;

	/** One resource with rows in the table, by table. */
	private Map<IndexTables.Table<?>, Long> resourcesWithRows() {
		Patient patient = new Patient();
		patient.setId(unique("idx"));
		patient.addName().setFamily(unique("Family"));
		patient.setGender(Enumerations.AdministrativeGender.FEMALE);
		patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1980-02-03"));
		client.update().resource(patient).execute();
		Observation observation = new Observation();
		observation.setId(unique("idx"));
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.getCode().addCoding().setSystem("http://loinc.org").setCode("29463-7");
		observation.setSubject(new Reference("Patient/" + patient.getIdElement().getIdPart()));
		observation.setValue(new Quantity().setValue(72).setSystem("http://unitsofmeasure.org").setCode("kg"));
		client.update().resource(observation).execute();
		Location location = new Location();
		location.setId(unique("idx"));
		location.setName("Contract");
		location.getPosition().setLatitude(42.36).setLongitude(-71.06);
		client.update().resource(location).execute();
		Questionnaire questionnaire = new Questionnaire();
		questionnaire.setId(unique("idx"));
		questionnaire.setUrl("http://example.org/Questionnaire/" + questionnaire.getIdElement().getIdPart());
		questionnaire.setStatus(Enumerations.PublicationStatus.ACTIVE);
		client.update().resource(questionnaire).execute();
		long patientPid = db.pid("Patient", patient.getIdElement().getIdPart());
		long observationPid = db.pid("Observation", observation.getIdElement().getIdPart());
		return Map.of(
				IndexTables.STRING, patientPid,
				IndexTables.TOKEN, patientPid,
				IndexTables.DATE, patientPid,
				IndexTables.URI, db.pid("Questionnaire", questionnaire.getIdElement().getIdPart()),
				IndexTables.QUANTITY, observationPid,
				IndexTables.LINK, observationPid,
				IndexTables.COORDS, db.pid("Location", location.getIdElement().getIdPart()));
	}

	@Test
	void eachIndexTableHoldsItsEntitysRowsUnderItsFlagAndCollection() {
		Map<IndexTables.Table<?>, Long> withRows = resourcesWithRows();
		EntityManager entityManager = SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory);
		SearchParamExtraction extraction = SearchParamExtraction.from(context);
		new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
			for (IndexTables.Table<?> table : IndexTables.ALL) {
				String touch = "IndexTables." + table.entity().getSimpleName() + " (" + table.sqlName() + ")";
				Long pid = withRows.get(table);
				List<?> rows = table.storedRows(entityManager, List.of(pid == null ? -1L : pid));
				if (pid == null) {
					assertThat(rows).as(touch + ": JPQL on " + table.pidPath()).isEmpty();
					continue;
				}
				assertThat(rows).as(touch + ": JPQL on " + table.pidPath() + " finds the rows HAPI wrote").isNotEmpty();
				rows.forEach(row -> assertThat(pidOf(table, row)).as(touch + ": pid of a row").isEqualTo(pid));
				ResourceTable entity = ResourceTables
						.loadWithCurrentVersionAndTags(entityManager, List.of(JpaPid.fromId(pid)))
						.get(0);
				assertThat(table.flag().test(entity)).as(touch + ": HAPI sets the resource's flag for the table").isTrue();
				assertThat(new JdbcTemplate(dataSource).queryForObject(
								"SELECT COUNT(*) FROM " + table.sqlName() + " WHERE " + table.pidColumn() + " = ?",
								Long.class, pid))
						.as(touch + ": SQL table and resource column hold the same rows as the entity")
						.isEqualTo(rows.size());
				ResourceIndexedSearchParams extracted = ResourceIndexedSearchParams.withSets();
				extraction.extractFromResource(
						RequestPartitionId.allPartitions(), new SystemRequestDetails(), extracted,
						ResourceIndexedSearchParams.withSets(), entity, resourceParser.toResource(entity, false),
						new TransactionDetails(), false, ISearchParamExtractor.ALL_PARAMS);
				assertThat(table.rowsIn().apply(extracted))
						.as(touch + ": HAPI's extraction (" + extraction.via() + ") puts the table's rows in its collection")
						.isNotEmpty();
			}
		});
	}

	@Test
	void valueTablesAreProbedAndReadByIdentityHash() {
		long pid = resourcesWithRows().get(IndexTables.STRING);
		EntityManager entityManager = SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory);
		new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
			for (IndexTables.Table<? extends BaseResourceIndexedSearchParam> table :
					List.of(IndexTables.STRING, IndexTables.TOKEN, IndexTables.DATE)) {
				String touch = "IndexTables." + table.entity().getSimpleName() + " (" + table.sqlName() + ".HASH_IDENTITY)";
				BaseResourceIndexedSearchParam row = table.storedRows(entityManager, List.of(pid)).get(0);
				List<Long> hashes = List.of(row.getHashIdentity());
				assertThat(IndexTables.hasRowsWithHashes(new JdbcTemplate(dataSource), table, List.of(pid), hashes))
						.as(touch + ": SQL probe finds the row by its identity hash").isTrue();
				assertThat(IndexTables.hasRowsWithHashes(new JdbcTemplate(dataSource), table, List.of(pid), List.of(-1L)))
						.as(touch + ": SQL probe with another hash").isFalse();
				assertThat(IndexTables.storedRowsWithHashes(entityManager, table, List.of(pid), hashes))
						.as(touch + ": JPQL on myResourcePid and myHashIdentity")
						.contains(row);
			}
			assertThat(IndexTables.storedPresenceRows(entityManager, List.of(pid)))
					.as("IndexTables.storedPresenceRows: JPQL on SearchParamPresentEntity (missing-field indexing is off)")
					.isEmpty();
		});
	}

	@SuppressWarnings("unchecked")
	private static <T> Long pidOf(IndexTables.Table<T> table, Object row) {
		return table.pidOf().apply((T) row);
	}
}
