package io.hapireindex.job;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules every job's parameters meet, whichever path builds them. */
class ReindexJobParametersBuilderTest {

	private static ReindexScope patients() {
		return new ReindexScope("Patient", null, RequestPartitionId.allPartitions());
	}

	@Test
	void defaultsAreThoseOfAPlainReindex() {
		ReindexJobParameters p = ReindexJobParameters.builder().scopes(List.of(patients())).build();
		assertThat(p.reindexSearchParameters()).isEqualTo(ReindexParameters.ReindexSearchParametersEnum.ALL);
		assertThat(p.optimizeStorage()).isEqualTo(ReindexParameters.OptimizeStorageModeEnum.NONE);
		assertThat(p.optimisticLock()).isTrue();
		assertThat(p.correctCurrentVersion()).isEqualTo(ReindexParameters.CorrectCurrentVersionModeEnum.NONE);
		assertThat(p.batchSize()).isEqualTo(500);
		assertThat(p.maximumConcurrency()).isEqualTo(2);
		assertThat(p.queryDelayMillis()).isZero();
		assertThat(p.targetDataStoreUsagePercentage()).isEqualTo(100);
		assertThat(p.partitionLabel()).isEqualTo("_ALL");
		assertThat(p.restartOf()).isNull();
		assertThat(p.terminology()).isFalse();
	}

	@Test
	void aJobWithoutAnythingToDoIsRefused() {
		assertThatThrownBy(() -> ReindexJobParameters.builder().build())
				.isInstanceOfSatisfying(InvalidJobParametersException.class, e -> assertThat(e.parameter()).isEqualTo("scopes"));
	}

	@Test
	void eachLimitNamesItsParameter() {
		ReindexJobParametersBuilder ok = ReindexJobParameters.builder().scopes(List.of(patients()));
		assertThat(parameterOf(ok.batchSize(0))).isEqualTo("batchSize");
		assertThat(parameterOf(ReindexJobParameters.builder().scopes(List.of(patients())).batchSize(5001))).isEqualTo("batchSize");
		assertThat(parameterOf(ReindexJobParameters.builder().scopes(List.of(patients())).maximumConcurrency(11)))
				.isEqualTo("maximumConcurrency");
		assertThat(parameterOf(ReindexJobParameters.builder().scopes(List.of(patients())).queryDelayMillis(-1)))
				.isEqualTo("queryDelayIntervalInMilliseconds");
		assertThat(parameterOf(ReindexJobParameters.builder().scopes(List.of(patients())).targetDataStoreUsagePercentage(0)))
				.isEqualTo("targetDataStoreUsagePercentage");
		assertThat(parameterOf(ReindexJobParameters.builder().resourceIds(List.of("Patient")))).isEqualTo("resourceId");
		assertThat(parameterOf(ReindexJobParameters.builder().scopes(List.of(patients())).optimizeStorage(null)))
				.isEqualTo("optimizeStorage");
	}

	@Test
	void theLimitsThemselvesAreAllowed() {
		ReindexJobParameters p = ReindexJobParameters.builder()
				.resourceIds(List.of("Patient/a-1.b"))
				.batchSize(5000)
				.maximumConcurrency(10)
				.queryDelayMillis(500_000)
				.targetDataStoreUsagePercentage(1)
				.build();
		assertThat(p.resourceIds()).containsExactly("Patient/a-1.b");
	}

	@Test
	void aRestartKeepsEverythingButWhatItNames() {
		ReindexJobParameters first = ReindexJobParameters.builder()
				.scopes(List.of(patients()))
				.searchParameterUrls(List.of("http://example.org/sp"))
				.batchSize(100)
				.maximumConcurrency(3)
				.partition(RequestPartitionId.fromPartitionNames("A"))
				.request(Map.of("batchSize", List.of("100")))
				.build();
		ReindexJobParameters restart = first.toBuilder()
				.scopes(List.of())
				.resourceIds(List.of("Patient/x"))
				.restartOf("job-1")
				.build();
		assertThat(restart.resourceIds()).containsExactly("Patient/x");
		assertThat(restart.scopes()).isEmpty();
		assertThat(restart.restartOf()).isEqualTo("job-1");
		assertThat(restart.searchParameterUrls()).isEqualTo(first.searchParameterUrls());
		assertThat(restart.batchSize()).isEqualTo(100);
		assertThat(restart.maximumConcurrency()).isEqualTo(3);
		assertThat(restart.partitionLabel()).isEqualTo("A");
		assertThat(restart.request()).isEqualTo(first.request());
	}

	@Test
	void theJobDefinitionsValidatorAppliesTheSameRules() {
		ReindexJobParameters broken = new ReindexJobParameters(List.of(patients()), List.of(), List.of(),
				ReindexParameters.ReindexSearchParametersEnum.ALL, ReindexParameters.OptimizeStorageModeEnum.NONE, true,
				ReindexParameters.CorrectCurrentVersionModeEnum.NONE, 0, 2, 0, 100, "_ALL",
				RequestPartitionId.allPartitions(), null, Map.of(), false);
		assertThat(new ReindexJobParametersValidator().validate(null, broken))
				.singleElement()
				.asString()
				.startsWith("batchSize:");
		assertThat(new ReindexJobParametersValidator().validate(null,
						ReindexJobParameters.builder().scopes(List.of(patients())).build()))
				.isEmpty();
	}

	private static String parameterOf(ReindexJobParametersBuilder builder) {
		try {
			builder.build();
		} catch (InvalidJobParametersException e) {
			return e.parameter();
		}
		throw new AssertionError("built without complaint");
	}
}
