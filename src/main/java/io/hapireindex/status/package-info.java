/**
 * Job progress kept in the module's tables (per scope, per page, errors), the status of a job as a plain record
 * ({@code JobStatus}) and its rendering as FHIR {@code Parameters}.
 *
 * <p>May use: {@code hapi} (batch2's cancel flag). Knows nothing of the job itself: {@code job.JobStatuses} computes a
 * {@code JobStatus} from a job's parameters, so the job can write progress here without a package cycle. Used by:
 * {@code job}, {@code operation}, {@code admin}, {@code searchparam}, {@code config}.
 */
package io.hapireindex.status;
