package io.hapireindex.status;

import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.FhirVersionEnum;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import ca.uhn.fhir.util.ParametersUtil;
import io.hapireindex.job.JobStatuses;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexScope;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The status model alone: computed from batch2's instance and the progress rows, rendered for every FHIR version. */
class JobStatusTest {

	private static final Date CREATED = new Date(1_700_000_000_000L);
	private static final Date STARTED = new Date(CREATED.getTime() + 1_000);
	private static final Date ENDED = new Date(STARTED.getTime() + 10_000);

	@Test
	void countsRateAndFirstErrorPerTypeOfAnEndedJob() {
		JobStatus s = JobStatuses.of(instance(StatusEnum.COMPLETED), params(), scopes(), errors(), ENDED);

		assertThat(s.status()).as("completed with a failed resource").isEqualTo("Failed");
		assertThat(s.total()).isEqualTo(5);
		assertThat(s.reindexed()).isEqualTo(4);
		assertThat(s.failed()).isEqualTo(1);
		assertThat(s.done()).isEqualTo(5);
		assertThat(s.changed()).isEqualTo(3);
		assertThat(s.progress()).isEqualByComparingTo("100.0");
		assertThat(s.resourcesPerSecond()).isEqualByComparingTo("0.5");
		assertThat(s.estimatedTimeRemaining()).as("none once ended").isNull();
		assertThat(s.endTime()).isEqualTo(ENDED);
		assertThat(s.resources()).containsExactly("Patient", "Observation");
		assertThat(s.progressByResource()).isEqualTo("Patient:2 of 3, Observation:2 of 2");
		assertThat(s.byType()).extracting(JobStatus.TypeState::firstError).containsExactly("boom", null);
		assertThat(s.byPartition()).as("one partition selection: no per-partition rows").isEmpty();
		assertThat(s.request()).containsEntry("resourceType", List.of("Patient", "Observation"));
	}

	@Test
	void aRunningJobHasAnEstimateAndNoEndTime() {
		JobInstance running = instance(StatusEnum.IN_PROGRESS);
		running.setEndTime(null);
		List<JobProgressStore.ScopeProgress> halfDone = List.of(
				new JobProgressStore.ScopeProgress(0, "Patient", "Patient", 10, 5, 0, 0, 0, 0, true));
		JobStatus s = JobStatuses.of(running, params(), halfDone, List.of(), new Date(STARTED.getTime() + 5_000));

		assertThat(s.status()).isEqualTo("Running");
		assertThat(s.endTime()).isNull();
		assertThat(s.progress()).isEqualByComparingTo("50.0");
		assertThat(s.resourcesPerSecond()).isEqualByComparingTo("1.0");
		assertThat(s.estimatedTimeRemaining()).isEqualTo(5L);
	}

	@Test
	void aCancelledJobEndsWhenBatch2LastUpdatedIt() {
		JobInstance cancelled = instance(StatusEnum.CANCELLED);
		cancelled.setEndTime(null);
		JobStatus s = JobStatuses.of(cancelled, params(), scopes(), List.of(), ENDED);
		assertThat(s.status()).isEqualTo("Canceled");
		assertThat(s.endTime()).isEqualTo(cancelled.getUpdateTime());
	}

	@Test
	void theParametersAreTheSameJsonOnEveryFhirVersion() {
		JobStatus s = JobStatuses.of(instance(StatusEnum.COMPLETED), params(), scopes(), errors(), ENDED);
		String r4 = json(FhirVersionEnum.R4, s);

		assertThat(r4).contains("\"name\":\"totalResourcesToReindex\",\"valueDecimal\":5}")
				.contains("\"name\":\"progress\",\"valueDecimal\":100.0}")
				.contains("\"name\":\"resourcesPerSecond\",\"valueDecimal\":0.5}")
				.contains("{\"name\":\"resourceType\",\"valueString\":\"Patient\"},{\"name\":\"count\",\"valueDecimal\":3}")
				.contains("\"name\":\"error\",\"part\":[{\"name\":\"resource\",\"valueString\":\"Patient/1\"},"
						+ "{\"name\":\"message\",\"valueString\":\"boom\"}]")
				.contains("\"name\":\"queuedTime\",\"valueDateTime\":\"")
				.doesNotContain("estimatedTimeRemaining");
		for (FhirVersionEnum version : List.of(FhirVersionEnum.DSTU3, FhirVersionEnum.R4B, FhirVersionEnum.R5)) {
			assertThat(json(version, s)).as(version.name()).isEqualTo(r4);
		}
		IBaseParameters p = JobStatusParameters.render(FhirContext.forR5Cached(), s);
		assertThat(ParametersUtil.getNamedParameterValueAsString(FhirContext.forR5Cached(), p, "status")).contains("Failed");
	}

	private static String json(FhirVersionEnum version, JobStatus s) {
		FhirContext ctx = FhirContext.forCached(version);
		return ctx.newJsonParser().encodeResourceToString(JobStatusParameters.render(ctx, s));
	}

	private static JobInstance instance(StatusEnum status) {
		JobInstance i = new JobInstance();
		i.setInstanceId("job-1");
		i.setStatus(status);
		i.setCreateTime(CREATED);
		i.setStartTime(STARTED);
		i.setEndTime(ENDED);
		i.setUpdateTime(new Date(ENDED.getTime() + 500));
		return i;
	}

	private static ReindexJobParameters params() {
		RequestPartitionId all = RequestPartitionId.allPartitions();
		return ReindexJobParameters.builder()
				.scopes(List.of(new ReindexScope("Patient", null, all), new ReindexScope("Observation", null, all)))
				.batchSize(500)
				.maximumConcurrency(1)
				.partition(all)
				.request(Map.of("resourceType", List.of("Patient", "Observation")))
				.build();
	}

	private static List<JobProgressStore.ScopeProgress> scopes() {
		return List.of(
				new JobProgressStore.ScopeProgress(0, "Patient", "Patient", 3, 2, 1, 0, 1, 2, true),
				new JobProgressStore.ScopeProgress(1, "Observation", "Observation", 2, 2, 0, 0, 0, 1, true));
	}

	private static List<JobProgressStore.JobError> errors() {
		return List.of(new JobProgressStore.JobError("Patient/1", "boom", new Timestamp(ENDED.getTime())));
	}
}
