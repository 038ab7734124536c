package io.hapireindex.job;

import ca.uhn.fhir.batch2.model.JobDefinition;

/**
 * The module's batch2 job, as its outline: generate-scopes (one chunk per type or URL and partition), load-ids (pages
 * of resource ids), reindex (one page per chunk), all non-gated so they pipeline; parameters checked by
 * {@link ReindexJobParametersValidator} before any step runs.
 */
public final class ReindexJobDefinitionFactory {

	private ReindexJobDefinitionFactory() {}

	public static JobDefinition<ReindexJobParameters> create(
			GenerateScopesStep generateScopes, LoadIdsStep loadIds, ReindexStep reindex) {
		return JobDefinition.newBuilder()
				.setJobDefinitionId(ReindexJob.JOB_DEFINITION_ID)
				.setJobDefinitionVersion(ReindexJob.JOB_DEFINITION_VERSION)
				.setJobDescription("hapi-fhir-reindex: reindex resources")
				.setParametersType(ReindexJobParameters.class)
				.setParametersValidator(new ReindexJobParametersValidator())
				.addFirstStep(ReindexJob.STEP_GENERATE_SCOPES, "One chunk per URL/type and partition", ScopeChunk.class, generateScopes)
				.addIntermediateStep(ReindexJob.STEP_LOAD_IDS, "Load resource ids in keyset pages", PidBatch.class, loadIds)
				.addLastStep(ReindexJob.STEP_REINDEX, "Reindex one page of resources", reindex)
				.build();
	}
}
