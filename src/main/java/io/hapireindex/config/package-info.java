/**
 * Wiring only: one auto-configuration per feature (startup, indexing, throttle, cluster, job, SearchParameter,
 * operations, job API, admin page), {@code ReindexModuleConfiguration} for plain Spring hosts, the settings
 * ({@code ReindexProperties}) and the registrar that puts the module's providers and interceptors on the host's
 * {@code RestfulServer}. No feature logic lives here.
 *
 * <p>May use: every feature package. Used by: nothing of the module (features get values, not the settings object).
 */
package io.hapireindex.config;
