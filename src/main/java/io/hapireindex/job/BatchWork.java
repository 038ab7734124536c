package io.hapireindex.job;

import java.util.Map;

/** Work on some resources of a batch (pid to FHIR id) in the current transaction: the failure messages by pid. */
interface BatchWork {
	Map<Long, String> run(Map<Long, String> resources);
}
