package io.hapireindex.hapi;

import ca.uhn.fhir.util.VersionUtil;

import java.util.List;

/**
 * The HAPI FHIR version the module runs on, and the versions its test suite passed on (CI runs the core suite on
 * each; see docs/hapi-versions.md). Adding a version is adding it here once CI passes on it.
 */
public final class HapiVersion {

	/** The HAPI versions the module is tested with, oldest first; the jar is built against the last. */
	public static final List<String> TESTED = List.of("8.6.0", "8.8.0");

	private HapiVersion() {}

	/** The running HAPI's version, as HAPI reports it (e.g. "8.8.0"). */
	public static String running() {
		return VersionUtil.getVersion();
	}

	public static boolean isTested(String version) {
		return TESTED.contains(version);
	}

	/** Whether the running HAPI has this class: how the adapter picks a per-version strategy. */
	static boolean hasClass(String className) {
		try {
			Class.forName(className, false, HapiVersion.class.getClassLoader());
			return true;
		} catch (ClassNotFoundException | LinkageError e) {
			return false;
		}
	}
}
