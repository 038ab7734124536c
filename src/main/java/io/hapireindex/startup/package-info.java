/**
 * Whether the module may run on this host, and its background services: {@code StartupCheck} beans (HAPI beans
 * present, FHIR version; other packages add theirs), {@code ModuleReadiness} that asks them once and logs the one ERROR
 * line of a back-off, {@code ModuleStarter} that starts every {@code ModuleService} only when the module runs, and
 * {@code ScheduledModuleService}, the start/stop of a service that works on a thread of its own.
 *
 * <p>May use: HAPI's {@code FhirContext} and Spring only; the bottom layer. Used by: every package that runs in the
 * background or checks the host, and {@code config}.
 */
package io.hapireindex.startup;
