/**
 * How hard a job presses: cluster-wide concurrency slots, delays and duty cycles, workers at a lower OS priority, and
 * workers that yield while the node serves requests.
 *
 * <p>May use: {@code cluster} (the node's name). Used by: {@code job}, {@code config}.
 */
package io.hapireindex.throttle;
