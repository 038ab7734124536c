/**
 * Custom search parameters: their readiness (pending, reindexing, ready, failed), {@code SearchParameter/$status},
 * the warning on searches that use a parameter not ready yet, and the automation that starts one targeted job per
 * burst of SearchParameter changes.
 *
 * <p>May use: {@code job}, {@code status}, {@code operation} (its error type), {@code startup}. Used by: {@code config}.
 */
package io.hapireindex.searchparam;
