package io.hapireindex.operation;

/** Paths of the job API, relative to the FHIR base (Azure's layout). */
public final class JobApiPaths {

	public static final String COLLECTION = "_operations/reindex";

	private JobApiPaths() {}

	/** {@code [base]/_operations/reindex/{id}}: where a job's status is read, as in Content-Location. */
	public static String jobUrl(String fhirBase, String jobId) {
		return fhirBase + "/" + COLLECTION + "/" + jobId;
	}
}
