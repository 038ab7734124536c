package io.hapireindex.operation;

/** Paths of the job API, relative to the FHIR base (Azure's layout). */
public final class JobApiPaths {

	public static final String COLLECTION = "_operations/reindex";

	private JobApiPaths() {}
}
