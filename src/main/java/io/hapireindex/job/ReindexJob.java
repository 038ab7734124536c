package io.hapireindex.job;

/** Identity of the module's batch2 job. Never HAPI's {@code REINDEX}: that id would hijack HAPI's own jobs. */
public final class ReindexJob {

	public static final String JOB_DEFINITION_ID = "HAPI_FHIR_REINDEX_MODULE";
	public static final int JOB_DEFINITION_VERSION = 1;

	public static final String STEP_GENERATE_SCOPES = "generate-scopes";
	public static final String STEP_LOAD_IDS = "load-ids";
	public static final String STEP_REINDEX = "reindex";

	private ReindexJob() {}
}
