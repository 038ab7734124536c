package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.model.StatusEnum;
import io.hapireindex.index.FullRowIndexer;
import io.hapireindex.status.JobProgressStore;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.hapireindex.it.JobApi.field;
import static io.hapireindex.it.JobApi.number;
import static io.hapireindex.it.JobApi.part;
import static io.hapireindex.it.JobApi.repeated;
import static org.assertj.core.api.Assertions.assertThat;

/** Server- and type-level {@code $reindex} as batch2 jobs, against the real server and database. */
class ServerReindexIT extends HapiServerTestBase {

	@Autowired
	private IJobCoordinator coordinator;

	@Autowired
	private IJobMaintenanceService maintenance;

	@Autowired
	private JobProgressStore progress;

	@Test
	void customParameterAfterDataIsIndexedForEveryResourceExactlyAsHapisOwnReindexWould() {
		String family = unique("Fam");
		String city = unique("City");
		List<String> ids = createPatients(family, city, 25);
		Map<String, HapiDatabase.StoredResource> before = storedState(ids);
		String code = unique("bp");
		putSearchParameter(code, code, "Patient", Enumerations.SearchParamType.STRING,
				"Patient.extension('" + BIRTH_PLACE + "').value.as(Address).city");
		assertThat(searchCount("Patient?" + code + "=" + city)).isZero();

		String jobId = jobs.start("Patient", params("url", "Patient?family=" + family));
		Parameters status = jobs.awaitCompleted(jobId);

		assertThat(number(status, "totalResourcesToReindex")).isEqualTo(25);
		assertThat(number(status, "resourcesSuccessfullyReindexed")).isEqualTo(25);
		assertThat(number(status, "resourcesFailed")).isZero();
		assertThat(number(status, "resourcesChanged")).as("each patient got its new row").isEqualTo(25);
		assertThat(field(status, "progress")).isEqualTo("100.0");
		assertThat(field(status, "resources")).isEqualTo("Patient");
		assertThat(field(status, "resourceReindexProgressByResource (CountReindexed of Count)")).isEqualTo("Patient:25 of 25");
		assertThat(repeated(status, "stateByResourceType")).singleElement().satisfies(s -> {
			assertThat(part(s, "resourceType")).isEqualTo("Patient");
			assertThat(part(s, "count")).isEqualTo("25");
			assertThat(part(s, "reindexed")).isEqualTo("25");
		});
		assertThat(field(status, "endTime")).isNotNull();
		assertThat(searchCount("Patient?" + code + "=" + city)).isEqualTo(25);
		assertThat(storedState(ids)).as("no new version, same lastUpdated and bodies").isEqualTo(before);

		Parameters again = jobs.awaitCompleted(jobs.start("Patient", params("url", "Patient?family=" + family)));
		assertThat(number(again, "resourcesSuccessfullyReindexed")).isEqualTo(25);
		assertThat(number(again, "resourcesChanged")).as("nothing left to change").isZero();

		Set<String> oursRows = indexRows(ids);
		assertThat(oursRows).anyMatch(r -> r.contains(code));
		runHapisOwnReindex("Patient?family=" + family);
		assertThat(indexRows(ids)).as("HAPI's REINDEX job finds nothing to change").isEqualTo(oursRows);
	}

	@Test
	void aBatchOfSeveralSlicesIsWrittenWholeAndEveryResourceIsVersionChecked() {
		String family = unique("Slices");
		String city = unique("SliceCity");
		// two full slices and a part of one, in one batch
		int count = 2 * FullRowIndexer.SLICE + 30;
		List<String> ids = new ArrayList<>(createPatients(family, city, count / 2));
		ids.addAll(createPatients(family, city, count - count / 2));
		Map<String, HapiDatabase.StoredResource> before = storedState(ids);
		String code = unique("bp-slices");
		putSearchParameter(code, code, "Patient", Enumerations.SearchParamType.STRING,
				"Patient.extension('" + BIRTH_PLACE + "').value.as(Address).city");

		Parameters p = params("url", "Patient?family=" + family);
		p.addParameter("batchSize", new IntegerType(count));
		p.addParameter("optimisticLock", new BooleanType(true));
		String jobId = jobs.start(null, p);
		Parameters status = jobs.awaitCompleted(jobId);

		assertThat(progress.batches(jobId)).singleElement().satisfies(b -> assertThat(b.resources()).isEqualTo(count));
		assertThat(number(status, "resourcesSuccessfullyReindexed")).isEqualTo(count);
		assertThat(number(status, "resourcesFailed")).isZero();
		assertThat(number(status, "resourcesChanged")).isEqualTo(count);
		for (String id : ids) {
			assertThat(db.stringRows(db.pid("Patient", id), code)).as("new row of %s", id).hasSize(1);
		}
		assertThat(storedState(ids)).as("no new version, same lastUpdated and bodies").isEqualTo(before);

		Set<String> oursRows = indexRows(ids);
		runHapisOwnReindex("Patient?family=" + family);
		assertThat(indexRows(ids)).as("HAPI's REINDEX job finds nothing to change").isEqualTo(oursRows);
	}

	@Test
	void aTargetedJobRecomputesOnlyItsParametersRowsExactlyAsHapiWould() {
		String family = unique("Target");
		String city = unique("Town");
		List<String> ids = createPatients(family, city, 6);
		String targeted = unique("bp-target");
		String other = unique("bp-other");
		putSearchParameter(targeted, targeted, "Patient", Enumerations.SearchParamType.STRING,
				"Patient.extension('" + BIRTH_PLACE + "').value.as(Address).city");
		putSearchParameter(other, other, "Patient", Enumerations.SearchParamType.TOKEN, "Patient.gender");
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Map<String, List<Long>> familyRowIds = new java.util.TreeMap<>();
		ids.forEach(id -> familyRowIds.put(id, jdbc.queryForList(
				"SELECT SP_ID FROM HFJ_SPIDX_STRING WHERE RES_ID = ? AND SP_NAME <> ? ORDER BY SP_ID", Long.class,
				db.pid("Patient", id), targeted)));

		Parameters p = params("url", "Patient?family=" + family);
		p.addParameter("targetSearchParameterTypes", "http://example.org/fhir/SearchParameter/" + targeted);
		Parameters status = jobs.awaitCompleted(jobs.start(null, p));

		assertThat(number(status, "resourcesSuccessfullyReindexed")).isEqualTo(6);
		assertThat(number(status, "resourcesChanged")).isEqualTo(6);
		for (String id : ids) {
			long pid = db.pid("Patient", id);
			assertThat(db.stringRows(pid, targeted)).as("targeted rows of %s", id).hasSize(1);
			assertThat(db.tokenRows(pid, other)).as("the other new parameter is not touched").isEmpty();
			assertThat(jdbc.queryForList("SELECT SP_ID FROM HFJ_SPIDX_STRING WHERE RES_ID = ? AND SP_NAME <> ? ORDER BY SP_ID",
							Long.class, pid, targeted))
					.as("every other string row keeps its id").isEqualTo(familyRowIds.get(id));
		}
		Set<String> targetedRows = indexRows(ids).stream().filter(r -> r.contains(targeted)).collect(
				java.util.stream.Collectors.toCollection(TreeSet::new));

		runHapisOwnReindex("Patient?family=" + family);
		assertThat(indexRows(ids).stream().filter(r -> r.contains(targeted)).toList())
				.as("HAPI's full reindex writes the same rows for the targeted parameter")
				.containsExactlyElementsOf(targetedRows);
		assertThat(db.tokenRows(db.pid("Patient", ids.get(0)), other)).as("and now the other one too").hasSize(1);
	}

	@Test
	void typeScopesUrlsIdsAndTargetedParametersCombineAsAUnion() {
		String family = unique("Union");
		List<String> patients = createPatients(family, "Nowhere", 4);
		String obsId = createObservation(patients.get(0));
		String code = unique("gender-copy");
		putSearchParameter(code, code, "Patient", Enumerations.SearchParamType.TOKEN, "Patient.gender");

		Parameters p = new Parameters();
		p.addParameter("url", "Patient?family=" + family);
		p.addParameter("resourceId", "Observation/" + obsId);
		p.addParameter("resourceId", "Patient/" + patients.get(0));
		Parameters status = jobs.awaitCompleted(jobs.start(null, p));
		assertThat(field(status, "resourceReindexProgressByResource (CountReindexed of Count)"))
				.isEqualTo("Patient:5 of 5, Observation:1 of 1");

		Parameters targeted = new Parameters();
		targeted.addParameter("searchParameter", code);
		targeted.addParameter("url", "Patient?family=" + family);
		targeted.addParameter("resourceId", "Observation/" + obsId);
		Parameters targetedStatus = jobs.awaitCompleted(jobs.start(null, targeted));
		assertThat(field(targetedStatus, "resources")).as("only the parameter's base types").isEqualTo("Patient");
		assertThat(field(targetedStatus, "searchParams")).isEqualTo("http://example.org/fhir/SearchParameter/" + code);

		Parameters byUrl = new Parameters();
		byUrl.addParameter("targetSearchParameterTypes", "http://example.org/fhir/SearchParameter/" + code);
		byUrl.addParameter("resourceId", "Patient/" + patients.get(1));
		Parameters byUrlStatus = jobs.awaitCompleted(jobs.start(null, byUrl));
		assertThat(number(byUrlStatus, "totalResourcesToReindex")).isEqualTo(1);
		assertThat(db.tokenRows(db.pid("Patient", patients.get(1)), code)).isNotEmpty();
	}

	@Test
	void wholeTypeIsLoadedInKeysetPagesOfTheRequestedSize() {
		String family = unique("Paged");
		createPatients(family, "Paged", 3);
		long observations = db.count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Observation' AND RES_DELETED_AT IS NULL");
		for (int i = 0; i < 10 - Math.min(observations, 10); i++) {
			createObservation(null);
		}
		long total = db.count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Observation' AND RES_DELETED_AT IS NULL");

		Parameters p = new Parameters();
		p.addParameter("targetResourceTypes", "Observation");
		p.addParameter("maximumNumberOfResourcesPerQuery", new IntegerType(3));
		String jobId = jobs.start(null, p);
		Parameters status = jobs.awaitCompleted(jobId);

		assertThat(number(status, "totalResourcesToReindex")).isEqualTo(total);
		assertThat(number(status, "maximumNumberOfResourcesPerQuery")).isEqualTo(3);
		List<JobProgressStore.BatchRecord> batches = progress.batches(jobId);
		assertThat(batches).allMatch(b -> b.resources() <= 3);
		assertThat(batches).hasSize((int) ((total + 2) / 3));
		assertThat(batches.stream().mapToInt(JobProgressStore.BatchRecord::resources).sum()).isEqualTo((int) total);
	}

	@Test
	void maximumConcurrencyBoundsTheChunksInFlight() {
		String family = unique("Conc");
		createPatients(family, "Conc", 24);
		for (int limit : new int[] {1, 2}) {
			List<JobProgressStore.BatchRecord> batches = runAndListBatches(family, 1, limit, null, 0);
			assertThat(batches).hasSize(24);
			// batch2 runs up to 4 chunks at once on this node: without the throttle this would exceed the limit
			assertThat(maxInFlight(batches)).as("max in flight with maximumConcurrency=%s", limit).isLessThanOrEqualTo(limit);
		}
	}

	@Test
	void queryDelaySpacesTheBatchesOfAJob() {
		String family = unique("Delay");
		createPatients(family, "Delay", 6);
		List<JobProgressStore.BatchRecord> batches =
				runAndListBatches(family, 1, 1, "queryDelayIntervalInMilliseconds", 250);
		assertThat(batches).hasSize(6);
		for (int i = 1; i < batches.size(); i++) {
			assertThat(batches.get(i).startedMillis() - batches.get(i - 1).startedMillis())
					.as("gap before batch %s", i)
					.isGreaterThanOrEqualTo(250);
		}
	}

	@Test
	void targetDataStoreUsageKeepsTheJobsShareOfTimeNearThePercentage() {
		String family = unique("Duty");
		createPatients(family, "Duty", 30);
		List<JobProgressStore.BatchRecord> batches =
				runAndListBatches(family, 3, 1, "targetDataStoreUsagePercentage", 25);
		long busy = batches.stream().mapToLong(b -> b.endedMillis() - b.startedMillis()).sum();
		long span = batches.get(batches.size() - 1).endedMillis() - batches.get(0).startedMillis();
		// after each batch the slot idles 3x its busy time, so the job is busy about 25% of the span
		assertThat((double) busy / span).as("busy %s ms of %s ms", busy, span).isLessThan(0.40);
	}

	@Test
	void progressGrowsWhileTheJobRunsAndPerTypeCountsAddUp() {
		String family = unique("Progress");
		List<String> patients = createPatients(family, "Progress", 8);
		String obs = createObservation(patients.get(0));
		Parameters p = params("url", "Patient?family=" + family);
		p.addParameter("resourceId", "Observation/" + obs);
		p.addParameter("batchSize", new IntegerType(1));
		p.addParameter("maximumConcurrency", new IntegerType(1));
		p.addParameter("queryDelayIntervalInMilliseconds", new IntegerType(200));
		String jobId = jobs.start(null, p);

		List<Long> seen = new ArrayList<>();
		Parameters status;
		do {
			status = jobs.status(jobId);
			long total = number(status, "totalResourcesToReindex");
			long perType = repeated(status, "stateByResourceType").stream()
					.mapToLong(s -> Long.parseLong(part(s, "count")))
					.sum();
			assertThat(perType).as("per-type counts add up to the total").isEqualTo(total);
			seen.add(number(status, "resourcesSuccessfullyReindexed"));
			JobApi.sleep(150);
		} while (!Set.of("Completed", "Failed", "Canceled").contains(field(status, "status")));

		assertThat(field(status, "status")).isEqualTo("Completed");
		assertThat(seen).isSorted();
		assertThat(seen).as("counts seen while running").anyMatch(n -> n > 0 && n < 9);
		assertThat(seen.get(seen.size() - 1)).isEqualTo(9);
	}

	@Test
	void aThrottledJobDoesNotHoldUpOtherJobs() {
		String family = unique("Slow");
		createPatients(family, "Slow", 12);
		List<String> other = createPatients(unique("Quick"), "Quick", 1);
		Parameters slow = params("url", "Patient?family=" + family);
		slow.addParameter("batchSize", new IntegerType(1));
		slow.addParameter("maximumConcurrency", new IntegerType(1));
		slow.addParameter("queryDelayIntervalInMilliseconds", new IntegerType(1500));
		String slowJob = jobs.start(null, slow);
		awaitReindexed(slowJob, 1);

		// 12 chunks spaced 1.5 s apart wait on one slot; they must not occupy batch2's worker threads meanwhile
		String quickJob = jobs.start(null, params("resourceId", "Patient/" + other.get(0)));
		jobs.await(quickJob, Set.of("Completed"), Duration.ofSeconds(10));
		assertThat(field(jobs.status(slowJob), "status")).isEqualTo("Running");

		assertThat(jobs.delete("/_operations/reindex/" + slowJob).status()).isEqualTo(202);
		jobs.await(slowJob, Set.of("Canceled"), Duration.ofSeconds(5));
	}

	@Test
	void cancelStopsTheJobWithinSecondsAndAnEndedJobCannotBeCancelled() {
		String family = unique("Cancel");
		createPatients(family, "Cancel", 30);
		Parameters p = params("url", "Patient?family=" + family);
		p.addParameter("batchSize", new IntegerType(1));
		p.addParameter("maximumConcurrency", new IntegerType(1));
		p.addParameter("queryDelayIntervalInMilliseconds", new IntegerType(300));
		String jobId = jobs.start(null, p);
		assertThat(jobs.start(null, p)).as("an identical running job is returned, not a second one").isEqualTo(jobId);
		awaitReindexed(jobId, 2);

		JobApi.Answer cancel = jobs.delete("/_operations/reindex/" + jobId);
		assertThat(cancel.status()).isEqualTo(202);
		long accepted = System.currentTimeMillis();
		Parameters canceled = jobs.await(jobId, Set.of("Canceled"), Duration.ofSeconds(5));
		assertThat(System.currentTimeMillis() - accepted).isLessThan(5000);
		long reindexedAtCancel = number(canceled, "resourcesSuccessfullyReindexed");
		JobApi.sleep(1500);
		Parameters later = jobs.status(jobId);
		assertThat(number(later, "resourcesSuccessfullyReindexed")).as("no chunk starts after the cancel")
				.isLessThanOrEqualTo(reindexedAtCancel + 1);
		assertThat(number(later, "resourcesSuccessfullyReindexed")).isLessThan(30);
		long deadline = System.currentTimeMillis() + 10_000;
		while (coordinator.getInstance(jobId).getStatus() != StatusEnum.CANCELLED) {
			assertThat(System.currentTimeMillis()).as("batch2 moves the job to CANCELLED").isLessThan(deadline);
			JobApi.sleep(100);
		}

		JobApi.Answer again = jobs.delete("/_operations/reindex/" + jobId);
		assertThat(again.status()).isEqualTo(409);
		assertThat(again.outcome().getIssueFirstRep().getDiagnostics()).contains("already ended");
		JobApi.Answer unknown = jobs.delete("/_operations/reindex/" + unique("nojob"));
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.outcome().getIssueFirstRep().getDiagnostics()).contains("No reindex job");
	}

	@Test
	void aResourceThatCannotBeReindexedIsReportedWithItsIdAndTheRestIsDone() {
		String family = unique("Broken");
		List<String> ids = createPatients(family, "Broken", 5);
		long pid = db.pid("Patient", ids.get(2));
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		String good = jdbc.queryForObject("SELECT RES_TEXT_VC FROM HFJ_RES_VER WHERE RES_ID = ?", String.class, pid);
		jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", "{\"resourceType\":\"Patient\",", pid);
		try {
			String jobId = jobs.start(null, params("url", "Patient?family=" + family));
			Parameters status = jobs.await(jobId, Set.of("Completed", "Failed"), Duration.ofSeconds(60));
			assertThat(field(status, "status")).isEqualTo("Failed");
			assertThat(number(status, "resourcesFailed")).isEqualTo(1);
			assertThat(number(status, "resourcesSuccessfullyReindexed")).isEqualTo(4);
			assertThat(number(status, "resourceRetries")).as("bounded retries (default 2), visible").isEqualTo(2);
			assertThat(repeated(status, "error")).anySatisfy(e -> {
				assertThat(part(e, "resource")).isEqualTo("Patient/" + ids.get(2));
				assertThat(part(e, "message")).isNotBlank();
			});
			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", good, pid);
			JobApi.Answer restart = jobs.post("/_operations/reindex/" + jobId + "/$restart", "");
			assertThat(restart.status()).isEqualTo(201);
			Parameters retried = jobs.awaitCompleted(field(restart.parameters(), "id"));
			assertThat(number(retried, "totalResourcesToReindex")).as("only the failed resource").isEqualTo(1);
			assertThat(part(retried.getParameter("stateByResourceType"), "reindexed")).isEqualTo("1");
		} finally {
			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", good, pid);
		}
	}

	@Test
	void resourcesDeletedOrExpungedAfterTheirIdsWereLoadedAreSkippedNotFailed() {
		String family = unique("Gone");
		List<String> ids = createPatients(family, "Gone", 8);
		Parameters p = params("url", "Patient?family=" + family);
		p.addParameter("batchSize", new IntegerType(1));
		p.addParameter("maximumConcurrency", new IntegerType(1));
		p.addParameter("queryDelayIntervalInMilliseconds", new IntegerType(400));
		String jobId = jobs.start(null, p);
		// wait until every id is loaded, then remove two resources the job has not reached yet
		long deadline = System.currentTimeMillis() + 30_000;
		while (number(jobs.status(jobId), "totalResourcesToReindex") < 8) {
			assertThat(System.currentTimeMillis()).isLessThan(deadline);
			JobApi.sleep(20);
		}
		Set<Long> reached = new TreeSet<>();
		progress.batches(jobId).forEach(b -> reached.add(b.firstPid()));
		List<String> notReached = ids.stream().filter(id -> !reached.contains(db.pid("Patient", id))).toList();
		String deleted = notReached.get(notReached.size() - 1);
		String expunged = notReached.get(notReached.size() - 2);
		client.delete().resourceById(new org.hl7.fhir.r4.model.IdType("Patient", deleted)).execute();
		client.delete().resourceById(new org.hl7.fhir.r4.model.IdType("Patient", expunged)).execute();
		Parameters expunge = new Parameters();
		expunge.addParameter("expungeDeletedResources", new org.hl7.fhir.r4.model.BooleanType(true));
		client.operation().onInstance(new org.hl7.fhir.r4.model.IdType("Patient", expunged)).named("$expunge")
				.withParameters(expunge).execute();
		assertThat(db.count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND FHIR_ID = ?", expunged))
				.as("expunged").isZero();

		Parameters status = jobs.awaitCompleted(jobId);
		assertThat(number(status, "resourcesSkipped")).isEqualTo(2);
		assertThat(number(status, "resourcesFailed")).isZero();
		assertThat(number(status, "resourcesSuccessfullyReindexed")).isEqualTo(6);
		assertThat(field(status, "progress")).isEqualTo("100.0");
	}

	@Test
	void restartAfterCancelReindexesExactlyWhatTheCancelledJobLeftUndone() {
		for (int i = 0; i < 12; i++) {
			Practitioner practitioner = new Practitioner();
			practitioner.setId(unique("pr"));
			practitioner.addName().setFamily("Restart" + i);
			client.update().resource(practitioner).execute();
		}
		Set<Long> allPids = new TreeSet<>(new JdbcTemplate(dataSource).queryForList(
				"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Practitioner' AND RES_DELETED_AT IS NULL", Long.class));
		Parameters p = params("resourceType", "Practitioner");
		p.addParameter("batchSize", new IntegerType(2));
		p.addParameter("maximumConcurrency", new IntegerType(1));
		p.addParameter("queryDelayIntervalInMilliseconds", new IntegerType(250));
		String first = jobs.start(null, p);
		awaitReindexed(first, 4);
		assertThat(jobs.delete("/_operations/reindex/" + first).status()).isEqualTo(202);
		jobs.await(first, Set.of("Canceled"), Duration.ofSeconds(5));
		awaitBatch2Ended(first);
		JobApi.sleep(500);
		List<Long> firstPids = batchPids(first);
		assertThat(firstPids).isNotEmpty().hasSizeLessThan(allPids.size());

		JobApi.Answer restart = jobs.post("/_operations/reindex/" + first + "/$restart", "");
		assertThat(restart.status()).isEqualTo(201);
		String second = field(restart.parameters(), "id");
		assertThat(restart.headers().firstValue("Content-Location").orElseThrow()).endsWith("/_operations/reindex/" + second);
		assertThat(field(restart.parameters(), "restartOf")).isEqualTo(first);
		Parameters done = jobs.awaitCompleted(second);
		assertThat(number(done, "totalResourcesToReindex")).isEqualTo(allPids.size() - firstPids.size());

		List<Long> secondPids = batchPids(second);
		assertThat(secondPids).doesNotContainAnyElementsOf(firstPids);
		Set<Long> union = new TreeSet<>(firstPids);
		union.addAll(secondPids);
		assertThat(union).isEqualTo(allPids);

		JobApi.Answer twice = jobs.post("/_operations/reindex/" + first + "/$restart", "");
		assertThat(twice.status()).as("a second restart would redo the work").isEqualTo(409);
		assertThat(twice.outcome().getIssueFirstRep().getDiagnostics()).contains("already restarted as job " + second);

		JobApi.Answer nothingLeft = jobs.post("/_operations/reindex/" + second + "/$restart", "");
		assertThat(nothingLeft.status()).isEqualTo(409);
		assertThat(nothingLeft.outcome().getIssueFirstRep().getDiagnostics()).contains("nothing to restart");
	}

	@Test
	void statusListAndAsyncStartFollowTheContract() {
		String family = unique("List");
		createPatients(family, "List", 2);
		JobApi.Answer async = jobs.post("/Patient/$reindex",
				"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"url\",\"valueString\":\"Patient?family=" + family + "\"}]}",
				"Prefer", "respond-async");
		assertThat(async.status()).isEqualTo(202);
		String location = async.headers().firstValue("Content-Location").orElseThrow();
		String jobId = location.substring(location.lastIndexOf('/') + 1);
		assertThat(field(async.parameters(), "status")).isIn("Queued", "Running", "Completed");
		assertThat(field(async.parameters(), "id")).isEqualTo(jobId);
		Parameters done = jobs.awaitCompleted(jobId);
		for (String name : List.of("id", "status", "queuedTime", "startTime", "endTime", "lastModified",
				"totalResourcesToReindex", "resourcesSuccessfullyReindexed", "progress", "resources",
				"resourceReindexProgressByResource (CountReindexed of Count)", "maximumConcurrency",
				"queryDelayIntervalInMilliseconds", "maximumNumberOfResourcesPerQuery",
				"targetDataStoreUsagePercentage", "resourcesFailed", "resourcesPerSecond", "partition")) {
			assertThat(done.getParameter(name)).as("status field %s", name).isNotNull();
		}
		assertThat(part(done.getParameter("request"), "url")).isEqualTo("Patient?family=" + family);

		Bundle completed = jobs.list("?status=Completed&_count=2");
		assertThat(completed.getEntry()).hasSizeBetween(1, 2);
		assertThat(completed.getEntry().get(0).getResource().getIdElement().getIdPart()).isEqualTo(jobId);
		assertThat(completed.getEntry()).allMatch(e -> field((Parameters) e.getResource(), "status").equals("Completed"));
	}

	@Test
	void badJobApiRequestsGet4xxWithAnOperationOutcomeAndChangeNothing() {
		String family = unique("JobApi");
		createPatients(family, "JobApi", 1);
		String jobId = jobs.start(null, params("url", "Patient?family=" + family));
		jobs.awaitCompleted(jobId);
		int jobCount = coordinator.getJobInstancesByJobDefinitionId(io.hapireindex.job.ReindexJob.JOB_DEFINITION_ID, 10_000, 0).size();

		Map<String, JobApi.Answer> answers = new java.util.LinkedHashMap<>();
		answers.put("_count not a number", jobs.get("/_operations/reindex?_count=abc"));
		answers.put("_count 0", jobs.get("/_operations/reindex?_count=0"));
		answers.put("_count too large", jobs.get("/_operations/reindex?_count=100000"));
		answers.put("unknown status", jobs.get("/_operations/reindex?status=Bogus"));
		answers.put("malformed path", jobs.get("/_operations/reindex/a/b/c"));
		answers.put("id with SQL", jobs.get("/_operations/reindex/1'%20OR%20'1'='1"));
		answers.put("POST on the list", jobs.post("/_operations/reindex", "{}"));
		answers.put("PUT on a job", jobs.put("/_operations/reindex/" + jobId, "{}"));
		answers.put("GET on $restart", jobs.get("/_operations/reindex/" + jobId + "/$restart"));
		answers.put("unknown job", jobs.get("/_operations/reindex/" + unique("nojob")));
		answers.forEach((why, answer) -> {
			assertThat(answer.status()).as(why).isBetween(400, 405);
			assertThat(answer.outcome().getIssueFirstRep().getDiagnostics()).as(why).isNotBlank();
		});
		assertThat(answers.get("_count not a number").outcome().getIssueFirstRep().getDiagnostics()).contains("_count");
		assertThat(answers.get("unknown status").outcome().getIssueFirstRep().getDiagnostics()).contains("status");
		assertThat(answers.get("unknown job").status()).isEqualTo(404);
		assertThat(coordinator.getJobInstancesByJobDefinitionId(io.hapireindex.job.ReindexJob.JOB_DEFINITION_ID, 10_000, 0))
				.as("no job created").hasSize(jobCount);
		assertThat(field(jobs.status(jobId), "status")).as("the job is untouched").isEqualTo("Completed");
	}

	@Test
	void requestBodiesFromTheReferenceDocumentsWorkAsWritten() {
		// Azure: integers as strings; a job over everything, so it is cancelled once its settings are checked
		JobApi.Answer azure = jobs.post("/$reindex", """
				{"resourceType": "Parameters", "parameter": [
				  {"name": "maximumConcurrency", "valueInteger": "3"},
				  {"name": "queryDelayIntervalInMilliseconds", "valueInteger": "1000"},
				  {"name": "maximumNumberOfResourcesPerQuery", "valueInteger": "1"}]}""");
		assertThat(azure.status()).isEqualTo(201);
		Parameters azureStatus = azure.parameters();
		assertThat(number(azureStatus, "maximumConcurrency")).isEqualTo(3);
		assertThat(number(azureStatus, "queryDelayIntervalInMilliseconds")).isEqualTo(1000);
		assertThat(number(azureStatus, "maximumNumberOfResourcesPerQuery")).isEqualTo(1);
		String azureJob = field(azureStatus, "id");
		assertThat(jobs.delete("/_operations/reindex/" + azureJob).status()).isEqualTo(202);
		jobs.await(azureJob, Set.of("Canceled"), Duration.ofSeconds(10));

		// Azure: an empty parameter list reindexes everything (cancelled: covering every type takes a while)
		JobApi.Answer everything = jobs.post("/$reindex", "{\"resourceType\": \"Parameters\", \"parameter\": []}");
		assertThat(everything.status()).isEqualTo(201);
		String everythingJob = field(everything.parameters(), "id");
		jobs.delete("/_operations/reindex/" + everythingJob);
		jobs.await(everythingJob, Set.of("Canceled", "Completed"), Duration.ofSeconds(30));

		// HAPI: storage only, every resource
		createPatients(unique("Storage"), "Storage", 2);
		JobApi.Answer storage = jobs.post("/$reindex", """
				{"resourceType": "Parameters", "parameter": [
				  {"name": "reindexSearchParameters", "valueCode": "NONE"},
				  {"name": "optimizeStorage", "valueCode": "ALL_VERSIONS"}]}""");
		assertThat(storage.status()).isEqualTo(201);
		Parameters storageDone = jobs.awaitCompleted(field(storage.parameters(), "id"));
		assertThat(number(storageDone, "resourcesFailed")).isZero();
		assertThat(number(storageDone, "resourcesSuccessfullyReindexed")).isGreaterThanOrEqualTo(2);

		// HAPI: ordered search URLs, including a chained search
		JobApi.Answer hapi = jobs.post("/$reindex", """
				{"resourceType": "Parameters", "parameter": [
				  {"name": "url", "valueString": "Patient?active=true"},
				  {"name": "url", "valueString": "Observation?subject.active=true"}]}""");
		assertThat(hapi.status()).isEqualTo(201);
		jobs.awaitCompleted(field(hapi.parameters(), "id"));
		JobApi.Answer hapiTypes = jobs.post("/$reindex", """
				{"resourceType": "Parameters", "parameter": [
				  {"name": "url", "valueString": "Practitioner?"},
				  {"name": "url", "valueString": "Patient?"}]}""");
		assertThat(hapiTypes.status()).isEqualTo(201);
		assertThat(field(jobs.awaitCompleted(field(hapiTypes.parameters(), "id")), "resources"))
				.isEqualTo("Patient,Practitioner");

		// Kodjin: resourceType, also the * wildcard (cancelled: it covers every type)
		Parameters kodjin = jobs.awaitCompleted(jobs.start(null, params("resourceType", "Patient")));
		assertThat(part(kodjin.getParameter("request"), "resourceType")).isEqualTo("Patient");
		String all = jobs.start(null, params("resourceType", "*"));
		jobs.delete("/_operations/reindex/" + all);
		jobs.await(all, Set.of("Canceled", "Completed"), Duration.ofSeconds(30));
	}

	// --- helpers ---

	private static Parameters params(String name, String value) {
		Parameters p = new Parameters();
		p.addParameter(name, new StringType(value));
		return p;
	}

	/** Runs a job over one family's patients to completion and returns its batch log. */
	private List<JobProgressStore.BatchRecord> runAndListBatches(
			String family, int batchSize, int concurrency, String throttle, int value) {
		Parameters p = params("url", "Patient?family=" + family);
		p.addParameter("batchSize", new IntegerType(batchSize));
		p.addParameter("maximumConcurrency", new IntegerType(concurrency));
		if (throttle != null) {
			p.addParameter(throttle, new IntegerType(value));
		}
		String jobId = jobs.start(null, p);
		jobs.awaitCompleted(jobId);
		return progress.batches(jobId);
	}

	private String createObservation(String patientId) {
		String id = unique("o");
		Observation obs = new Observation();
		obs.setId(id);
		obs.setStatus(Observation.ObservationStatus.FINAL);
		obs.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
		if (patientId != null) {
			obs.setSubject(new Reference("Patient/" + patientId));
		}
		client.update().resource(obs).execute();
		return id;
	}

	private Map<String, HapiDatabase.StoredResource> storedState(List<String> ids) {
		Map<String, HapiDatabase.StoredResource> state = new java.util.TreeMap<>();
		ids.forEach(id -> state.put(id, db.stored("Patient", id)));
		return state;
	}

	/** Every index row of the resources, by value (row ids and update times left out). */
	private Set<String> indexRows(List<String> ids) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Set<String> rows = new TreeSet<>();
		for (String id : ids) {
			long pid = db.pid("Patient", id);
			jdbc.query("SELECT SP_NAME, SP_VALUE_EXACT, SP_VALUE_NORMALIZED, HASH_IDENTITY, HASH_EXACT FROM HFJ_SPIDX_STRING WHERE RES_ID = ?",
					rs -> { rows.add(id + " string " + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getLong(4) + "|" + rs.getLong(5)); }, pid);
			jdbc.query("SELECT SP_NAME, SP_SYSTEM, SP_VALUE, HASH_SYS_AND_VALUE FROM HFJ_SPIDX_TOKEN WHERE RES_ID = ?",
					rs -> { rows.add(id + " token " + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getLong(4)); }, pid);
			jdbc.query("SELECT SP_NAME, SP_VALUE_LOW, SP_VALUE_HIGH FROM HFJ_SPIDX_DATE WHERE RES_ID = ?",
					rs -> { rows.add(id + " date " + rs.getString(1) + "|" + rs.getTimestamp(2) + "|" + rs.getTimestamp(3)); }, pid);
			jdbc.query("SELECT SRC_PATH, TARGET_RESOURCE_TYPE, TARGET_RESOURCE_ID, TARGET_RESOURCE_URL FROM HFJ_RES_LINK WHERE SRC_RESOURCE_ID = ?",
					rs -> { rows.add(id + " link " + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4)); }, pid);
		}
		return rows;
	}

	private void runHapisOwnReindex(String url) {
		JobApi.runHapisOwnReindex(coordinator, maintenance, url, 120_000);
	}

	private void awaitBatch2Ended(String jobId) {
		long deadline = System.currentTimeMillis() + 10_000;
		while (!coordinator.getInstance(jobId).getStatus().isEnded()) {
			assertThat(System.currentTimeMillis()).as("batch2 ends job %s", jobId).isLessThan(deadline);
			JobApi.sleep(100);
		}
	}

	/** Every pid the job's batches covered (whole-type batches are contiguous keyset pages). */
	private List<Long> batchPids(String jobId) {
		List<Long> pids = new ArrayList<>();
		for (JobProgressStore.BatchRecord b : progress.batches(jobId)) {
			pids.addAll(new JdbcTemplate(dataSource).queryForList(
					"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Practitioner' AND RES_ID BETWEEN ? AND ?",
					Long.class, b.firstPid(), b.lastPid()));
		}
		return pids;
	}

	private void awaitReindexed(String jobId, long atLeast) {
		long deadline = System.currentTimeMillis() + 30_000;
		while (number(jobs.status(jobId), "resourcesSuccessfullyReindexed") < atLeast) {
			assertThat(System.currentTimeMillis()).isLessThan(deadline);
			JobApi.sleep(50);
		}
	}

	/** The most batches whose work intervals overlap at one instant. */
	static int maxInFlight(List<JobProgressStore.BatchRecord> batches) {
		List<long[]> events = new ArrayList<>();
		for (JobProgressStore.BatchRecord b : batches) {
			events.add(new long[] {b.startedMillis(), 1});
			events.add(new long[] {b.endedMillis(), -1});
		}
		// an end and a start at the same millisecond do not overlap
		events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
		int current = 0;
		int max = 0;
		for (long[] e : events) {
			current += (int) e[1];
			max = Math.max(max, current);
		}
		return max;
	}
}
