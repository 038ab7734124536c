package io.hapireindex.job;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one way to make {@link ReindexJobParameters}: named values with the defaults of a plain {@code $reindex}, and
 * {@link #build()} applies {@link ReindexJobRules}, so a job started by SearchParameter automation or a restart meets
 * the same rules as one started over HTTP.
 */
public final class ReindexJobParametersBuilder {

	private List<ReindexScope> scopes = List.of();
	private List<String> resourceIds = List.of();
	private List<String> searchParameterUrls = List.of();
	private ReindexParameters.ReindexSearchParametersEnum reindexSearchParameters =
			ReindexParameters.ReindexSearchParametersEnum.ALL;
	private ReindexParameters.OptimizeStorageModeEnum optimizeStorage = ReindexParameters.OptimizeStorageModeEnum.NONE;
	private boolean optimisticLock = true;
	private ReindexParameters.CorrectCurrentVersionModeEnum correctCurrentVersion =
			ReindexParameters.CorrectCurrentVersionModeEnum.NONE;
	private int batchSize = ReindexJobRules.DEFAULT_BATCH_SIZE;
	private int maximumConcurrency = ReindexJobRules.DEFAULT_MAXIMUM_CONCURRENCY;
	private int queryDelayMillis;
	private int targetDataStoreUsagePercentage = 100;
	private String partitionLabel = ReindexScope.partitionLabel(RequestPartitionId.allPartitions());
	private RequestPartitionId partition = RequestPartitionId.allPartitions();
	private String restartOf;
	private Map<String, List<String>> request = Map.of();
	private boolean terminology;

	ReindexJobParametersBuilder() {}

	/** A builder holding every value of an existing job (a restart changes what is left to do). */
	static ReindexJobParametersBuilder of(ReindexJobParameters p) {
		ReindexJobParametersBuilder b = new ReindexJobParametersBuilder();
		b.scopes = p.scopes();
		b.resourceIds = p.resourceIds();
		b.searchParameterUrls = p.searchParameterUrls();
		b.reindexSearchParameters = p.reindexSearchParameters();
		b.optimizeStorage = p.optimizeStorage();
		b.optimisticLock = p.optimisticLock();
		b.correctCurrentVersion = p.correctCurrentVersion();
		b.batchSize = p.batchSize();
		b.maximumConcurrency = p.maximumConcurrency();
		b.queryDelayMillis = p.queryDelayMillis();
		b.targetDataStoreUsagePercentage = p.targetDataStoreUsagePercentage();
		b.partitionLabel = p.partitionLabel();
		b.partition = p.partition();
		b.restartOf = p.restartOf();
		b.request = p.request();
		b.terminology = p.terminology();
		return b;
	}

	public ReindexJobParametersBuilder scopes(List<ReindexScope> scopes) {
		this.scopes = new ArrayList<>(scopes);
		return this;
	}

	public ReindexJobParametersBuilder resourceIds(List<String> resourceIds) {
		this.resourceIds = new ArrayList<>(resourceIds);
		return this;
	}

	public ReindexJobParametersBuilder searchParameterUrls(List<String> urls) {
		this.searchParameterUrls = new ArrayList<>(urls);
		return this;
	}

	public ReindexJobParametersBuilder reindexSearchParameters(ReindexParameters.ReindexSearchParametersEnum value) {
		this.reindexSearchParameters = value;
		return this;
	}

	public ReindexJobParametersBuilder optimizeStorage(ReindexParameters.OptimizeStorageModeEnum value) {
		this.optimizeStorage = value;
		return this;
	}

	public ReindexJobParametersBuilder optimisticLock(boolean value) {
		this.optimisticLock = value;
		return this;
	}

	public ReindexJobParametersBuilder correctCurrentVersion(ReindexParameters.CorrectCurrentVersionModeEnum value) {
		this.correctCurrentVersion = value;
		return this;
	}

	public ReindexJobParametersBuilder batchSize(int value) {
		this.batchSize = value;
		return this;
	}

	public ReindexJobParametersBuilder maximumConcurrency(int value) {
		this.maximumConcurrency = value;
		return this;
	}

	public ReindexJobParametersBuilder queryDelayMillis(int value) {
		this.queryDelayMillis = value;
		return this;
	}

	public ReindexJobParametersBuilder targetDataStoreUsagePercentage(int value) {
		this.targetDataStoreUsagePercentage = value;
		return this;
	}

	/** The partitions selected; the label shown in the status follows from them. */
	public ReindexJobParametersBuilder partition(RequestPartitionId value) {
		this.partition = value;
		this.partitionLabel = ReindexScope.partitionLabel(value);
		return this;
	}

	public ReindexJobParametersBuilder restartOf(String jobId) {
		this.restartOf = jobId;
		return this;
	}

	/** The start parameters as the caller gave them, echoed in the status. */
	public ReindexJobParametersBuilder request(Map<String, List<String>> value) {
		this.request = value;
		return this;
	}

	public ReindexJobParametersBuilder terminology(boolean value) {
		this.terminology = value;
		return this;
	}

	/** @throws InvalidJobParametersException naming the first parameter that breaks a rule */
	public ReindexJobParameters build() {
		ReindexJobParameters parameters = new ReindexJobParameters(scopes, resourceIds, searchParameterUrls,
				reindexSearchParameters, optimizeStorage, optimisticLock, correctCurrentVersion, batchSize,
				maximumConcurrency, queryDelayMillis, targetDataStoreUsagePercentage, partitionLabel, partition,
				restartOf, request, terminology);
		List<ReindexJobRules.Violation> violations = ReindexJobRules.check(parameters);
		if (!violations.isEmpty()) {
			throw new InvalidJobParametersException(violations.get(0).parameter(), violations.get(0).message());
		}
		return parameters;
	}
}
