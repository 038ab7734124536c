package io.hapireindex.it;

import ca.uhn.fhir.jpa.model.entity.ResourceEncodingEnum;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.orm.jpa.EntityManagerFactoryUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static io.hapireindex.it.JobApi.number;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code reindexSearchParameters=none} with {@code optimizeStorage}: legacy LOB rows (compressed JSONC, as
 * older HAPI versions wrote them) are moved inline, same text, and nothing else changes.
 */
class OptimizeStorageIT extends HapiServerTestBase {

	@Autowired
	private EntityManagerFactory entityManagerFactory;

	@Autowired
	private PlatformTransactionManager transactionManager;

	/** One stored version of a resource, as the database holds it. */
	record Version(long version, String encoding, boolean hasLob, String inlineText) {}

	@Test
	void allVersionsMovesEveryLegacyLobInlineWithTheSameText() {
		String id = observationWithTwoVersions();
		List<String> texts = inlineTexts(id);
		moveToLegacyLobs(id);
		assertThat(versions(id)).allMatch(v -> v.hasLob() && v.inlineText() == null && v.encoding().equals("JSONC"));
		HapiDatabase.StoredResource before = db.stored("Observation", id);
		long tokenRows = db.count("SELECT COUNT(*) FROM HFJ_SPIDX_TOKEN WHERE RES_ID = ?", before.pid());

		Parameters status = runJob(id, "ALL_VERSIONS");

		assertThat(number(status, "resourcesSuccessfullyReindexed")).isEqualTo(1);
		List<Version> after = versions(id);
		assertThat(after).hasSize(2).allMatch(v -> !v.hasLob() && v.encoding().equals("JSON"));
		assertThat(after.stream().map(Version::inlineText).toList()).isEqualTo(texts);
		assertThat(db.stored("Observation", id).version()).isEqualTo(before.version());
		assertThat(db.stored("Observation", id).updated()).isEqualTo(before.updated());
		assertThat(db.count("SELECT COUNT(*) FROM HFJ_SPIDX_TOKEN WHERE RES_ID = ?", before.pid())).isEqualTo(tokenRows);
	}

	@Test
	void currentVersionMovesOnlyTheCurrentVersion() {
		String id = observationWithTwoVersions();
		List<String> texts = inlineTexts(id);
		moveToLegacyLobs(id);

		runJob(id, "CURRENT_VERSION");

		List<Version> after = versions(id);
		assertThat(after.get(0).hasLob()).as("version 1 untouched").isTrue();
		assertThat(after.get(0).encoding()).isEqualTo("JSONC");
		assertThat(after.get(1).hasLob()).as("current version inline").isFalse();
		assertThat(after.get(1).inlineText()).isEqualTo(texts.get(1));
		// the server still reads both versions
		assertThat(client.read().resource(Observation.class).withIdAndVersion(id, "1").execute().getValueStringType().getValue())
				.isEqualTo("first");
	}

	private Parameters runJob(String id, String mode) {
		JobApi jobs = new JobApi(client, baseUrl(), FHIR);
		Parameters p = new Parameters();
		p.addParameter("resourceId", new StringType("Observation/" + id));
		p.addParameter("reindexSearchParameters", new StringType("none"));
		p.addParameter("optimizeStorage", new StringType(mode));
		p.addParameter("batchSize", new IntegerType(10));
		return jobs.awaitCompleted(jobs.start(null, p));
	}

	private String observationWithTwoVersions() {
		String id = unique("lob");
		Observation obs = new Observation();
		obs.setId(id);
		obs.setStatus(Observation.ObservationStatus.FINAL);
		obs.getCode().addCoding().setSystem("http://loinc.org").setCode("8302-2");
		obs.setValue(new StringType("first"));
		client.update().resource(obs).execute();
		obs.setValue(new StringType("second"));
		client.update().resource(obs).execute();
		return id;
	}

	private List<String> inlineTexts(String id) {
		return versions(id).stream().map(Version::inlineText).toList();
	}

	/** Rewrites every version the way old HAPI versions stored it: gzip in the LOB column, nothing inline. */
	private void moveToLegacyLobs(String id) {
		long pid = db.pid("Observation", id);
		new TransactionTemplate(transactionManager).executeWithoutResult(tx -> {
			EntityManager em = EntityManagerFactoryUtils.getTransactionalEntityManager(entityManagerFactory);
			List<ResourceHistoryTable> rows = em.createQuery(
							"SELECT h FROM ResourceHistoryTable h WHERE h.myResourceId = :pid", ResourceHistoryTable.class)
					.setParameter("pid", pid)
					.getResultList();
			for (ResourceHistoryTable row : rows) {
				row.setResource(gzip(row.getResourceTextVc()));
				row.setResourceTextVc(null);
				row.setEncoding(ResourceEncodingEnum.JSONC);
			}
		});
	}

	private List<Version> versions(String id) {
		long pid = db.pid("Observation", id);
		List<Version> result = new ArrayList<>();
		new TransactionTemplate(transactionManager).executeWithoutResult(tx -> {
			EntityManager em = EntityManagerFactoryUtils.getTransactionalEntityManager(entityManagerFactory);
			em.createQuery("SELECT h FROM ResourceHistoryTable h WHERE h.myResourceId = :pid ORDER BY h.myResourceVersion",
							ResourceHistoryTable.class)
					.setParameter("pid", pid)
					.getResultList()
					.forEach(h -> result.add(new Version(
							h.getVersion(), h.getEncoding().name(), h.getResource() != null, h.getResourceTextVc())));
		});
		return result;
	}

	private static byte[] gzip(String text) {
		try (ByteArrayOutputStream out = new ByteArrayOutputStream();
				GZIPOutputStream gz = new GZIPOutputStream(out)) {
			gz.write(text.getBytes(StandardCharsets.UTF_8));
			gz.finish();
			return out.toByteArray();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
