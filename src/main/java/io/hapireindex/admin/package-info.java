/**
 * The operators' batch job page and its JSON API at {@code [base]/{admin-page-path}/}: every batch2 job of the server,
 * progress, failed resources, start / cancel / restart / retry. {@code AdminPageInterceptor} finds the page's requests
 * and hands them on: the files to {@code AdminStaticFiles}, the API to {@code AdminApiRouter} (which reads with
 * {@code AdminJobView}, acts with {@code AdminActions} and exports errors with {@code AdminErrorExport});
 * {@code AdminJson} writes answers and maps errors.
 *
 * <p>May use: {@code job} (start, cancel, restart), {@code operation} (start-request parsing), {@code status}
 * (progress), HAPI's batch2 API. Used by: {@code config} only.
 */
package io.hapireindex.admin;
