/**
 * The module's batch2 job {@code HAPI_FHIR_REINDEX_MODULE} as its outline: validated parameters
 * ({@code ReindexJobParameters.builder()}, {@code ReindexJobRules}), the steps generate-scopes, load-ids and reindex,
 * the batch reindexer they call, and {@code ReindexJobService} to start, read, cancel and restart jobs.
 *
 * <p>May use: {@code index}, {@code terminology}, {@code throttle}, {@code cluster}, {@code status} (progress store),
 * {@code startup}. Used by: {@code operation}, {@code admin}, {@code searchparam}, {@code config}.
 */
package io.hapireindex.job;
