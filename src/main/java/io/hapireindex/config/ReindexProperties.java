package io.hapireindex.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code hapi-fhir-reindex.*}. Bound by Spring Boot in Boot hosts; plain Spring hosts get
 * the defaults unless they bind it themselves.
 */
@ConfigurationProperties(prefix = ReindexProperties.PREFIX)
public class ReindexProperties {

	public static final String PREFIX = "hapi-fhir-reindex";

	/**
	 * Whether the module is active. When false nothing is registered and HAPI's own $reindex operations stay.
	 */
	private boolean enabled = true;

	/**
	 * Whether HAPI's own $reindex and $reindex-dryrun bindings are removed, so only this module's operations answer
	 * and appear in the CapabilityStatement.
	 */
	private boolean replaceHapiOperations = true;

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isReplaceHapiOperations() {
		return replaceHapiOperations;
	}

	public void setReplaceHapiOperations(boolean replaceHapiOperations) {
		this.replaceHapiOperations = replaceHapiOperations;
	}
}
