package io.hapireindex.job;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The validated, resolved parameters of one reindex job (made with {@link #builder()}), as stored by batch2 with the job instance. Every
 * scope form of the request (url, resourceType, targetResourceTypes, searchParameter...) has already been
 * resolved into {@link #scopes} and {@link #resourceIds}; {@link #request} keeps what the caller sent.
 *
 * @param scopes                 whole types or search URLs to scan
 * @param resourceIds            single resources, as {@code Type/id}
 * @param searchParameterUrls    the targeted search parameters (empty: all active parameters)
 * @param partitionLabel         how the partition selection is shown in the status
 * @param partition              the partition selection as requested, before its scopes were split per partition;
 *                               explicit ids are looked up in it. Null in jobs stored before it was kept
 * @param restartOf              the job this one finishes the work of, if it is a restart
 * @param request                the start parameters as given, echoed in the status
 * @param terminology            a {@code $terminology-reindex} job: besides the index rows, rebuild the terminology
 *                               storage derived from CodeSystem, ValueSet and ConceptMap resources (HAPI's own
 *                               reindex side effects), and wait for HAPI's deferred terminology work
 */
public record ReindexJobParameters(
		@JsonProperty("scopes") List<ReindexScope> scopes,
		@JsonProperty("resourceIds") List<String> resourceIds,
		@JsonProperty("searchParameterUrls") List<String> searchParameterUrls,
		@JsonProperty("reindexSearchParameters") ReindexParameters.ReindexSearchParametersEnum reindexSearchParameters,
		@JsonProperty("optimizeStorage") ReindexParameters.OptimizeStorageModeEnum optimizeStorage,
		@JsonProperty("optimisticLock") boolean optimisticLock,
		@JsonProperty("correctCurrentVersion") ReindexParameters.CorrectCurrentVersionModeEnum correctCurrentVersion,
		@JsonProperty("batchSize") int batchSize,
		@JsonProperty("maximumConcurrency") int maximumConcurrency,
		@JsonProperty("queryDelayMillis") int queryDelayMillis,
		@JsonProperty("targetDataStoreUsagePercentage") int targetDataStoreUsagePercentage,
		@JsonProperty("partitionLabel") String partitionLabel,
		@JsonProperty("partition") RequestPartitionId partition,
		@JsonProperty("restartOf") String restartOf,
		@JsonProperty("request") Map<String, List<String>> request,
		@JsonProperty("terminology") boolean terminology)
		implements IModelJson {

	@JsonCreator
	public ReindexJobParameters {
		scopes = scopes == null ? List.of() : List.copyOf(scopes);
		resourceIds = resourceIds == null ? List.of() : List.copyOf(resourceIds);
		searchParameterUrls = searchParameterUrls == null ? List.of() : List.copyOf(searchParameterUrls);
		// insertion order kept: batch2 spots an identical running job by comparing the parameters' JSON
		request = request == null
				? Map.of()
				: java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(request));
	}

	/** Parameters from named values, checked by {@link ReindexJobRules} when built. */
	public static ReindexJobParametersBuilder builder() {
		return new ReindexJobParametersBuilder();
	}

	/** A builder starting from these parameters. */
	public ReindexJobParametersBuilder toBuilder() {
		return ReindexJobParametersBuilder.of(this);
	}

	/**
	 * The partitions explicit ids are looked up in. Jobs stored before {@link #partition} was kept used their
	 * first scope's, which was the whole selection then (scopes were not yet split per partition).
	 */
	@JsonIgnore
	public RequestPartitionId idPartition() {
		if (partition != null) {
			return partition;
		}
		return scopes.isEmpty() ? RequestPartitionId.allPartitions() : scopes.get(0).partition();
	}

	/** What HAPI's DAO needs for each resource. */
	public ReindexParameters toHapiParameters() {
		return new ReindexParameters()
				.setReindexSearchParameters(reindexSearchParameters)
				.setOptimizeStorage(optimizeStorage)
				.setOptimisticLock(optimisticLock)
				.setCorrectCurrentVersion(correctCurrentVersion);
	}
}
