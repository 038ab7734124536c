/**
 * The module's batch2 job {@code HAPI_FHIR_REINDEX_MODULE} as its outline: validated parameters
 * ({@code ReindexJobParameters.builder()}, {@code ReindexJobRules}), the steps generate-scopes, load-ids and reindex,
 * the batch reindexer they call, {@code ReindexJobService} to start, read, cancel and restart jobs, and
 * {@code JobStatuses}, which computes a job's status record from its parameters and progress.
 *
 * <p>May use: {@code index}, {@code terminology}, {@code throttle}, {@code cluster}, {@code status} (progress store,
 * status record), {@code startup}. Used by: {@code operation}, {@code admin}, {@code searchparam}, {@code config}.
 */
package io.hapireindex.job;
