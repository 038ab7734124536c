package io.hapireindex.it;

import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.hapireindex.it.JobApi.field;
import static io.hapireindex.it.JobApi.number;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer updates, deletes and expunges Patients while a throttled reindex of every Patient runs with
 * {@code optimisticLock=true}. Afterwards the job has failed nothing, its counts add up, no resource got a new
 * version from the job, the family index of every updated Patient is that of its latest version only, and a
 * dry-run of every remaining Patient finds no row to add or remove.
 */
class LiveWritesIT extends HapiServerTestBase {

	private static final int PATIENTS = 300;

	@Test
	void writesDuringAJobLeaveNoStaleIndexRowsAndNoFailures() throws Exception {
		String family = unique("Live");
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < PATIENTS; i += 100) {
			ids.addAll(createPatients(family, "Basel", 100));
		}
		JobApi jobs = new JobApi(client, baseUrl(), FHIR);
		Parameters p = new Parameters();
		p.addParameter("resourceType", new StringType("Patient"));
		p.addParameter("optimisticLock", new BooleanType(true));
		p.addParameter("batchSize", new IntegerType(10));
		// One page of 10 every ~500 ms: the job takes 15 s or more, longer than the writer, so every write lands
		// while it runs, some on pages already done and some on pages still to come.
		p.addParameter("maximumConcurrency", new IntegerType(1));
		p.addParameter("queryDelayIntervalInMilliseconds", new IntegerType(500));
		String jobId = jobs.start(null, p);

		// The writer: in a shuffled order, so writes land before, during and after each resource's page.
		List<String> order = new ArrayList<>(ids);
		Collections.shuffle(order, new Random(42));
		Map<String, String> latestFamily = new ConcurrentHashMap<>();
		Set<String> removed = ConcurrentHashMap.newKeySet();
		Map<String, Integer> updates = new ConcurrentHashMap<>();
		AtomicBoolean jobEnded = new AtomicBoolean();
		java.util.concurrent.atomic.AtomicInteger writesWhileRunning = new java.util.concurrent.atomic.AtomicInteger();
		CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
			int n = 0;
			for (String id : order) {
				if (jobEnded.get()) {
					break;
				}
				int kind = n++ % 10;
				if (kind < 4) {
					for (int round = 1; round <= (kind == 0 ? 2 : 1); round++) {
						String newFamily = family + "-u" + round + "-" + id;
						Patient patient = client.read().resource(Patient.class).withId(id).execute();
						patient.getNameFirstRep().setFamily(newFamily);
						client.update().resource(patient).execute();
						latestFamily.put(id, newFamily);
						updates.merge(id, 1, Integer::sum);
					}
				} else if (kind == 5) {
					client.delete().resourceById(new IdType("Patient", id)).execute();
					removed.add(id);
				} else if (kind == 6) {
					client.delete().resourceById(new IdType("Patient", id)).execute();
					Parameters expunge = new Parameters();
					expunge.addParameter("expungeDeletedResources", new BooleanType(true));
					client.operation().onInstance(new IdType("Patient", id)).named("$expunge")
							.withParameters(expunge).execute();
					removed.add(id);
				}
				if (kind < 7 && kind != 4 && !jobEnded.get()) {
					writesWhileRunning.incrementAndGet();
				}
				JobApi.sleep(5);
			}
		});

		Parameters status = jobs.await(jobId, Set.of("Completed", "Failed", "Canceled"), Duration.ofMinutes(5));
		jobEnded.set(true);
		writer.get();
		assertThat(field(status, "status")).isEqualTo("Completed");
		long total = number(status, "totalResourcesToReindex");
		long reindexed = number(status, "resourcesSuccessfullyReindexed");
		long skipped = number(status, "resourcesSkipped");
		long failed = number(status, "resourcesFailed");
		assertThat(failed).as("failures: %s", JobApi.repeated(status, "error")).isZero();
		assertThat(reindexed + skipped).as("reindexed + skipped = total").isEqualTo(total);
		assertThat(skipped).as("only removed resources are skipped").isLessThanOrEqualTo(removed.size());
		assertThat(writesWhileRunning.get()).as("writes while the job ran").isGreaterThanOrEqualTo(50);
		assertThat(skipped).as("resources removed before their page ran are skipped, not failed").isPositive();

		Map<String, String> problems = new LinkedHashMap<>();
		for (String id : ids) {
			if (removed.contains(id)) {
				assertThat(db.count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND FHIR_ID = ?"
						+ " AND RES_DELETED_AT IS NULL", id)).as("%s removed", id).isZero();
				continue;
			}
			long pid = db.pid("Patient", id);
			HapiDatabase.StoredResource stored = db.stored("Patient", id);
			int expectedVersion = 1 + updates.getOrDefault(id, 0);
			if (stored.version() != expectedVersion || stored.versionRows() != expectedVersion) {
				problems.put(id, "version " + stored.version() + " with " + stored.versionRows() + " version rows, expected "
						+ expectedVersion + " (the job must not write versions)");
			}
			String expectedFamily = latestFamily.getOrDefault(id, family);
			Set<String> familyRows = db.stringRows(pid, "family");
			if (familyRows.size() != 1 || !familyRows.iterator().next().startsWith(expectedFamily + "|")) {
				problems.put(id, "family rows " + familyRows + ", latest family " + expectedFamily);
			}
			ReindexReport dryRun = ReindexReport.of(client.operation()
					.onInstance(new IdType("Patient", id))
					.named("$reindex-dryrun")
					.withNoParameters(Parameters.class)
					.useHttpGet()
					.execute());
			if (dryRun.count("ADD") + dryRun.count("REMOVE") > 0) {
				problems.put(id, "dry-run finds rows to change: " + dryRun.rows().stream()
						.filter(r -> !r.action().equals("NO_CHANGE")).toList());
			}
		}
		assertThat(problems).isEmpty();
	}
}
