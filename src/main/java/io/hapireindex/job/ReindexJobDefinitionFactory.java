package io.hapireindex.job;

import ca.uhn.fhir.batch2.model.JobDefinition;

/** The module's batch2 job: generate-scopes, load-ids, reindex, all non-gated so they pipeline. */
public final class ReindexJobDefinitionFactory {

	private ReindexJobDefinitionFactory() {}

	public static JobDefinition<ReindexJobParameters> create(
			GenerateScopesStep generateScopes, LoadIdsStep loadIds, ReindexStep reindex) {
		return JobDefinition.newBuilder()
				.setJobDefinitionId(ReindexJob.JOB_DEFINITION_ID)
				.setJobDefinitionVersion(ReindexJob.JOB_DEFINITION_VERSION)
				.setJobDescription("hapi-fhir-reindex: reindex resources")
				.setParametersType(ReindexJobParameters.class)
				.addFirstStep(ReindexJob.STEP_GENERATE_SCOPES, "One chunk per URL/type and partition", ScopeChunk.class, generateScopes)
				.addIntermediateStep(ReindexJob.STEP_LOAD_IDS, "Load resource ids in keyset pages", PidBatch.class, loadIds)
				.addLastStep(ReindexJob.STEP_REINDEX, "Reindex one page of resources", reindex)
				.build();
	}
}
