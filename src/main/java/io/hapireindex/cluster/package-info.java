/**
 * What keeps jobs going when a node dies: node heartbeats, which node runs which chunk, and the watchdog that hands a
 * dead node's chunks to the others.
 *
 * <p>May use: {@code startup} (its lifecycle), HAPI's batch2 maintenance. Used by: {@code job}, {@code throttle},
 * {@code config}.
 */
package io.hapireindex.cluster;
