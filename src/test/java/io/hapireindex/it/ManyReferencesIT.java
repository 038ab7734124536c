package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import io.hapireindex.status.JobProgressStore;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.hapireindex.it.JobApi.number;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A resource with thousands of references, like each Provenance of Synthea's data (it names every resource of its
 * patient): the module's job reindexes it to exactly HAPI's rows, with no new version and the same body.
 */
class ManyReferencesIT extends HapiServerTestBase {

	private static final Logger LOG = LoggerFactory.getLogger(ManyReferencesIT.class);

	/** Targets of the Provenance: half Observations, half Encounters, and their patient. */
	static final int TARGETS = 5_000;

	@Autowired
	private IJobCoordinator coordinator;

	@Autowired
	private IJobMaintenanceService maintenance;

	@Autowired
	private JobProgressStore progress;

	@BeforeEach
	void jobApi() {
		// HAPI takes longer than the client's default 10 s to store a transaction of hundreds of resources, or a
		// resource with thousands of references, on a loaded 2-core machine
		FHIR.getRestfulClientFactory().setSocketTimeout(300_000);
		client = FHIR.newRestfulGenericClient(baseUrl());
		jobs = new JobApi(client, baseUrl(), FHIR);
	}

	@Test
	void aProvenanceWithFiveThousandTargetsGetsHapisRowsWithoutANewVersion() {
		String prefix = unique("many");
		Patient patient = patient(prefix);
		List<Resource> targets = new ArrayList<>();
		targets.add(patient);
		for (int i = 0; targets.size() < TARGETS; i++) {
			Reference subject = new Reference("Patient/" + patient.getIdPart());
			if (i % 2 == 0) {
				targets.add(heartRate(prefix + "-o" + i, patient));
			} else {
				Encounter enc = new Encounter();
				enc.setId(prefix + "-e" + i);
				enc.setStatus(Encounter.EncounterStatus.FINISHED);
				enc.setSubject(subject);
				targets.add(enc);
			}
		}
		store(targets);

		Provenance provenance = new Provenance();
		provenance.setRecordedElement(new InstantType("2026-12-07T10:00:00Z"));
		provenance.addAgent().setWho(new Reference("Patient/" + patient.getIdPart()));
		targets.forEach(t -> provenance.addTarget(new Reference(t.fhirType() + "/" + t.getIdElement().getIdPart())));
		String provenanceId = client.create().resource(provenance).execute().getId().getIdPart();
		long pid = db.pid("Provenance", provenanceId);
		HapiDatabase.StoredResource before = db.stored("Provenance", provenanceId);

		// A parameter over the targets that are Observations, added after the data: the job has thousands of new
		// link rows to write, and resolve() to evaluate for every target, as HAPI's Provenance 'patient' does.
		String code = unique("obs-target");
		putSearchParameter(code, code, "Provenance", Enumerations.SearchParamType.REFERENCE,
				"Provenance.target.where(resolve() is Observation)");
		String observationPath = "Provenance.target.where(resolve() is Observation)";
		assertThat(links(pid, observationPath)).as("not indexed before the job").isZero();

		Parameters p = new Parameters();
		p.addParameter("url", new StringType("Provenance?_id=" + provenanceId));
		String jobId = jobs.start(null, p);
		Parameters status = jobs.awaitCompleted(jobId);

		assertThat(number(status, "resourcesSuccessfullyReindexed")).isEqualTo(1);
		assertThat(number(status, "resourcesFailed")).isZero();
		assertThat(number(status, "resourcesChanged")).isEqualTo(1);
		assertThat(links(pid, observationPath)).as("a link to each Observation").isEqualTo(TARGETS / 2);
		assertThat(links(pid, "Provenance.target")).as("a link to each target").isEqualTo(TARGETS);
		assertThat(db.stored("Provenance", provenanceId)).as("no new version, same lastUpdated and body").isEqualTo(before);
		logBatches(jobId);

		// again, with every row in place: nothing to change, and the batch shows the cost of a warm reindex
		String again = jobs.start(null, p);
		Parameters second = jobs.awaitCompleted(again);
		assertThat(number(second, "resourcesSuccessfullyReindexed")).isEqualTo(1);
		assertThat(number(second, "resourcesChanged")).as("nothing left to change").isZero();
		logBatches(again);

		Set<String> ours = indexRows(pid);
		assertThat(ours).hasSizeGreaterThan(TARGETS + TARGETS / 2);
		runHapisOwnReindex("Provenance?_id=" + provenanceId);
		assertThat(indexRows(pid)).as("HAPI's REINDEX job finds nothing to change").isEqualTo(ours);
		assertThat(db.stored("Provenance", provenanceId)).isEqualTo(before);
	}

	/**
	 * A targeted job ({@code searchParameter}) adding a reference parameter whose references no stored link names:
	 * half of the Provenance's 5,000 references are its targets (stored links), the other half sit in an extension
	 * no parameter indexed before. The module resolves those together instead of HAPI's lookup per reference.
	 */
	@Test
	void aTargetedJobAddingAReferenceParameterOverThousandsOfUnlinkedReferencesGetsHapisRows() {
		String prefix = unique("many-t");
		Patient patient = patient(prefix);
		List<Resource> targets = new ArrayList<>();
		targets.add(patient);
		for (int i = 0; targets.size() < TARGETS; i++) {
			targets.add(heartRate(prefix + "-o" + i, patient));
		}
		store(targets);

		String extensionUrl = "http://example.org/fhir/StructureDefinition/" + prefix + "-derived-from";
		Provenance provenance = new Provenance();
		provenance.setRecordedElement(new InstantType("2026-12-07T10:00:00Z"));
		provenance.addAgent().setWho(new Reference("Patient/" + patient.getIdPart()));
		for (int i = 0; i < targets.size(); i++) {
			Reference ref = new Reference(targets.get(i).fhirType() + "/" + targets.get(i).getIdElement().getIdPart());
			if (i < TARGETS / 2) {
				provenance.addTarget(ref);
			} else {
				provenance.addExtension(extensionUrl, ref);
			}
		}
		String provenanceId = client.create().resource(provenance).execute().getId().getIdPart();
		long pid = db.pid("Provenance", provenanceId);
		HapiDatabase.StoredResource before = db.stored("Provenance", provenanceId);

		String code = unique("derived-from");
		String path = "Provenance.extension('" + extensionUrl + "').value";
		putSearchParameter(code, code, "Provenance", Enumerations.SearchParamType.REFERENCE, path);
		assertThat(links(pid, path)).as("not indexed before the job").isZero();

		Parameters p = new Parameters();
		p.addParameter("url", new StringType("Provenance?_id=" + provenanceId));
		p.addParameter("searchParameter", new StringType(code));
		String jobId = jobs.start(null, p);
		Parameters status = jobs.awaitCompleted(jobId);

		assertThat(number(status, "resourcesSuccessfullyReindexed")).isEqualTo(1);
		assertThat(number(status, "resourcesFailed")).isZero();
		assertThat(number(status, "resourcesChanged")).isEqualTo(1);
		assertThat(links(pid, path)).as("a link to each extension's target").isEqualTo(TARGETS - TARGETS / 2);
		assertThat(links(pid, "Provenance.target")).as("the targets' links kept").isEqualTo(TARGETS / 2);
		assertThat(db.stored("Provenance", provenanceId)).as("no new version, same lastUpdated and body").isEqualTo(before);
		logBatches(jobId);

		Set<String> ours = indexRows(pid);
		runHapisOwnReindex("Provenance?_id=" + provenanceId);
		assertThat(indexRows(pid)).as("HAPI's REINDEX job finds nothing to change").isEqualTo(ours);
		assertThat(db.stored("Provenance", provenanceId)).isEqualTo(before);
	}

	/** How long the job's batch took (not asserted: the machine may be loaded); the benchmark reports rates. */
	private void logBatches(String jobId) {
		progress.batches(jobId).forEach(b -> LOG.info("Job {}: {} Provenance with {} references in {} ms",
				jobId, b.resources(), TARGETS, b.endedMillis() - b.startedMillis()));
	}

	/** In transactions of 500 (HAPI's transaction processing, as a loader would). */
	private void store(List<Resource> resources) {
		for (int from = 0; from < resources.size(); from += 500) {
			Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
			for (Resource r : resources.subList(from, Math.min(resources.size(), from + 500))) {
				tx.addEntry().setResource(r).getRequest().setMethod(Bundle.HTTPVerb.PUT)
						.setUrl(r.fhirType() + "/" + r.getIdElement().getIdPart());
			}
			client.transaction().withBundle(tx).execute();
		}
	}

	private long links(long pid, String path) {
		return db.count("SELECT COUNT(*) FROM HFJ_RES_LINK WHERE SRC_RESOURCE_ID = ? AND SRC_PATH = ?", pid, path);
	}

	/** Every index row of the resource, by value (row ids and write times left out), with its presence flags. */
	private Set<String> indexRows(long pid) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Set<String> rows = new TreeSet<>();
		jdbc.query("SELECT SP_NAME, SP_VALUE_EXACT, SP_VALUE_NORMALIZED, HASH_IDENTITY, HASH_EXACT FROM HFJ_SPIDX_STRING WHERE RES_ID = ?",
				rs -> { rows.add("string " + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getLong(4) + "|" + rs.getLong(5)); }, pid);
		jdbc.query("SELECT SP_NAME, SP_SYSTEM, SP_VALUE, HASH_SYS_AND_VALUE FROM HFJ_SPIDX_TOKEN WHERE RES_ID = ?",
				rs -> { rows.add("token " + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getLong(4)); }, pid);
		jdbc.query("SELECT SP_NAME, SP_VALUE_LOW, SP_VALUE_HIGH FROM HFJ_SPIDX_DATE WHERE RES_ID = ?",
				rs -> { rows.add("date " + rs.getString(1) + "|" + rs.getTimestamp(2) + "|" + rs.getTimestamp(3)); }, pid);
		jdbc.query("SELECT SRC_PATH, TARGET_RESOURCE_TYPE, TARGET_RESOURCE_ID, TARGET_RESOURCE_URL, TARGET_RESOURCE_VERSION FROM HFJ_RES_LINK WHERE SRC_RESOURCE_ID = ?",
				rs -> { rows.add("link " + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|" + rs.getString(5)); }, pid);
		jdbc.query("SELECT SP_HAS_LINKS, SP_STRING_PRESENT, SP_TOKEN_PRESENT, SP_DATE_PRESENT, SP_INDEX_STATUS FROM HFJ_RESOURCE WHERE RES_ID = ?",
				rs -> { rows.add("flags " + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|" + rs.getString(5)); }, pid);
		return rows;
	}

	private void runHapisOwnReindex(String url) {
		JobApi.runHapisOwnReindex(coordinator, maintenance, url, 600_000);
	}

	private static Observation heartRate(String id, Patient patient) {
		Observation obs = new Observation();
		obs.setId(id);
		obs.setStatus(Observation.ObservationStatus.FINAL);
		obs.setCode(new CodeableConcept().addCoding(
				new org.hl7.fhir.r4.model.Coding("http://loinc.org", "8867-4", "Heart rate")));
		obs.setSubject(new Reference("Patient/" + patient.getIdPart()));
		return obs;
	}

	private static Patient patient(String prefix) {
		Patient patient = new Patient();
		patient.setId(prefix + "-pat");
		patient.addName().setFamily(prefix);
		return patient;
	}
}
