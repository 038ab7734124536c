package io.hapireindex.hapi;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import io.hapireindex.it.HapiServerTestBase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Contract of {@link ResourceTables} and of {@link HapiSchema}: every column the adapter's SQL names exists in HAPI's
 * schema with the expected type, and each query on HAPI's resource table answers as the adapter's callers expect.
 */
class ResourceTablesContractIT extends HapiServerTestBase {

	@Autowired
	private PartitionSettings partitionSettings;

	@Autowired
	private EntityManagerFactory entityManagerFactory;

	@Autowired
	private PlatformTransactionManager transactionManager;

	@Test
	void hapiSchemaHasEveryColumnTheAdapterUsesWithItsType() throws SQLException {
		assertThat(HapiSchema.problems(dataSource, true))
				.as("HAPI tables and columns the adapter's SQL relies on (HapiSchema)")
				.isEmpty();
	}

	@Test
	void resourceTableQueriesSeeLiveAndDeletedResources() {
		List<String> ids = createPatients(unique("Contract"), "Nowhere", 2);
		long live = db.pid("Patient", ids.get(0));
		long deleted = db.pid("Patient", ids.get(1));
		client.delete().resourceById("Patient", ids.get(1)).execute();
		ResourceTables tables = new ResourceTables(dataSource);
		ResourceTables.PartitionFilter all = ResourceTables.PartitionFilter.of(RequestPartitionId.allPartitions(), partitionSettings);

		assertThat(tables.liveFhirIds(List.of(live, deleted)))
				.as("ResourceTables.liveFhirIds: HFJ_RESOURCE.FHIR_ID, and RES_DELETED_AT set by a delete")
				.containsExactly(entry(live, ids.get(0)));
		assertThat(tables.typedFhirIds(List.of(live, deleted)))
				.as("ResourceTables.typedFhirIds: HFJ_RESOURCE.RES_TYPE and FHIR_ID, deleted or not")
				.containsOnly(entry(live, "Patient/" + ids.get(0)), entry(deleted, "Patient/" + ids.get(1)));
		assertThat(tables.liveFhirIdsOfType("Patient"))
				.as("ResourceTables.liveFhirIdsOfType")
				.contains(ids.get(0))
				.doesNotContain(ids.get(1));
		assertThat(tables.nextLivePids("Patient", all, Math.min(live, deleted) - 1, 1000))
				.as("ResourceTables.nextLivePids: live pids of the type, in pid order")
				.contains(live)
				.doesNotContain(deleted)
				.isSorted();
		assertThat(tables.livePidsByFhirId("Patient", ids, all))
				.as("ResourceTables.livePidsByFhirId")
				.containsOnly(entry(ids.get(0), live));
		new TransactionTemplate(transactionManager).executeWithoutResult(status -> assertThat(
						tables.lockCurrentVersions(List.of(live, deleted)))
				.as("ResourceTables.lockCurrentVersions: HFJ_RESOURCE.RES_VER, read FOR UPDATE")
				.containsOnly(entry(live, 1L)));
	}

	@Test
	void resourceEntityQueryLoadsCurrentVersionAndTags() {
		Patient patient = new Patient();
		patient.setId(unique("tagged"));
		patient.getMeta().addTag("http://example.org/tags", "contract", null);
		patient.setActive(true);
		client.update().resource(patient).execute();
		client.update().resource(patient.setActive(false)).execute();
		long pid = db.pid("Patient", patient.getIdElement().getIdPart());
		EntityManager entityManager = SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory);

		new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
			List<ResourceTable> loaded =
					ResourceTables.loadWithCurrentVersionAndTags(entityManager, List.of(JpaPid.fromId(pid)));
			assertThat(loaded)
					.as("ResourceTables.loadWithCurrentVersionAndTags: JPQL on ResourceTable (myPid, myVersion, myTags,"
							+ " ResourceTag.myTag) and ResourceHistoryTable (myResourceVersion, myResourceTable)")
					.hasSize(1);
			ResourceTable entity = loaded.get(0);
			assertThat(entity.getCurrentVersionEntity().getVersion())
					.as("ResourceTables.loadWithCurrentVersionAndTags: the history row of the current version")
					.isEqualTo(2L);
			assertThat(entity.getTags())
					.as("ResourceTables.loadWithCurrentVersionAndTags: tags fetched")
					.extracting(tag -> tag.getTag().getCode())
					.containsExactly("contract");
		});
	}
}
