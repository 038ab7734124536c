package io.hapireindex.bench;

/**
 * One reindex job as the benchmark saw it.
 *
 * @param seconds        from the start request to the observed end
 * @param processed      resources the job says it processed
 * @param steadyPerSecond resources per second over the reindex step alone (first batch start to last batch end),
 *                       or null when the job recorded no timed batch
 */
record JobRun(String jobId, double seconds, long processed, Double steadyPerSecond) {}
