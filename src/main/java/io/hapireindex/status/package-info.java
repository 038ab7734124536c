/**
 * Job progress kept in the module's tables (per scope, per page, errors) and the status of a job as the job API shows
 * it.
 *
 * <p>May use: {@code job} (its parameters, to describe a job). Used by: {@code job}, {@code admin},
 * {@code searchparam}, {@code config}. Known cycle: {@code job} reads the progress store and {@code status} renders
 * job parameters; it goes when the status model becomes one record of its own.
 */
package io.hapireindex.status;
