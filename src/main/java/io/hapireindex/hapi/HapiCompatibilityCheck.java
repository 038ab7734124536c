package io.hapireindex.hapi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Whether the running HAPI is one the adapter can work with, asked once at startup (a {@code StartupCheck}).
 *
 * <p>A HAPI version the suite was not run on gets one WARN naming the tested ones, and the module still starts: a
 * patch release rarely changes what the adapter touches. What would make the module corrupt data or fail at run
 * time is a table or column of HAPI's that its SQL relies on being gone or renamed; that is checked here from the
 * database's metadata (cheap: no query on HAPI's data) and answered as a failure, so the module backs off. HAPI API
 * that the module's classes call being gone (an older HAPI) is {@link HapiApi}'s check, made before any part is built.
 */
public class HapiCompatibilityCheck {

	private static final Logger LOG = LoggerFactory.getLogger(HapiCompatibilityCheck.class);

	private final DataSource dataSource;
	private final String runningVersion;
	private final AtomicBoolean warned = new AtomicBoolean();

	public HapiCompatibilityCheck(DataSource dataSource) {
		this(dataSource, HapiVersion.running());
	}

	HapiCompatibilityCheck(DataSource dataSource, String runningVersion) {
		this.dataSource = dataSource;
		this.runningVersion = runningVersion;
	}

	/** The WARN for an untested HAPI version; empty on a tested one. */
	public Optional<String> untestedVersionWarning() {
		if (HapiVersion.isTested(runningVersion)) {
			return Optional.empty();
		}
		return Optional.of("hapi-fhir-reindex runs on HAPI FHIR " + runningVersion + ", which it was not tested with (tested: "
				+ String.join(", ", HapiVersion.TESTED) + "); it starts, but report any problem with the HAPI version");
	}

	/** Empty when HAPI's schema has everything the adapter relies on; otherwise what is missing. */
	public Optional<String> failure() {
		if (warned.compareAndSet(false, true)) {
			untestedVersionWarning().ifPresent(LOG::warn);
		}
		List<String> problems;
		try {
			problems = HapiSchema.problems(dataSource, false);
		} catch (SQLException | RuntimeException e) {
			return Optional.of("hapi-fhir-reindex could not read HAPI's schema to check it (" + e.getMessage()
					+ "); it needs HAPI's tables in the server's DataSource");
		}
		if (problems.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of("hapi-fhir-reindex does not support the HAPI FHIR schema of version " + runningVersion
				+ " (tested: " + String.join(", ", HapiVersion.TESTED) + "): " + String.join("; ", problems));
	}
}
