/**
 * Writing index rows: one resource with its diff (instance {@code $reindex} / {@code $reindex-dryrun}), and pages of
 * resources for a job, every row ({@code FullRowIndexer}) or only the rows of some search parameters
 * ({@code TargetedIndexer}).
 *
 * <p>May use: HAPI's JPA and search-parameter APIs only (no other package of the module). Used by: {@code job},
 * {@code operation}, {@code terminology}, {@code config}.
 */
package io.hapireindex.index;
