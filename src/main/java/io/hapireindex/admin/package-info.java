/**
 * The operators' batch job page and its JSON API at {@code [base]/{admin-page-path}/}: every batch2 job of the server,
 * progress, failed resources, start / cancel / restart / retry.
 *
 * <p>May use: {@code job} (start, cancel, restart), {@code operation} (start-request parsing), {@code status}
 * (progress), HAPI's batch2 API. Used by: {@code config} only.
 */
package io.hapireindex.admin;
