/**
 * Terminology storage rebuilt by {@code $terminology-reindex}: code system concepts, ValueSet pre-expansions, concept
 * maps, and the wait for HAPI's deferred terminology work.
 *
 * <p>May use: {@code index}, HAPI's terminology services. Used by: {@code job}, {@code operation}, {@code config}.
 */
package io.hapireindex.terminology;
