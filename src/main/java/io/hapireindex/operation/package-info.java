/**
 * The FHIR operations over HTTP: instance {@code $reindex} / {@code $reindex-dryrun}, server and type {@code $reindex}
 * and {@code $terminology-reindex}, Azure's job API, the parsing of their parameters, and the filter that removes HAPI's
 * own reindex bindings.
 *
 * <p>May use: {@code job}, {@code status} (the status record and its rendering), {@code index}, {@code terminology},
 * HAPI's server API. Used by: {@code admin}, {@code searchparam}, {@code security}, {@code config}.
 */
package io.hapireindex.operation;
