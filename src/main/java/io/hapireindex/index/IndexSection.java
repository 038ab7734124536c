package io.hapireindex.index;

/**
 * The sections of an instance reindex report, in the order HAPI's own report uses, so clients written
 * against HAPI's {@code $reindex-dryrun} output keep working.
 */
public enum IndexSection {
	COORDINATE("CoordinateIndexes"),
	DATE("DateIndexes"),
	NUMBER("NumberIndexes"),
	QUANTITY("QuantityIndexes"),
	URI("UriIndexes"),
	STRING("StringIndexes"),
	TOKEN("TokenIndexes"),
	RESOURCE_LINK("ResourceLinks"),
	UNIQUE("UniqueIndexes"),
	NON_UNIQUE("NonUniqueIndexes"),
	MISSING("MissingIndexes");

	private final String parameterName;

	IndexSection(String parameterName) {
		this.parameterName = parameterName;
	}

	/** The name of the {@code Parameters.parameter} that holds this section's rows. */
	public String parameterName() {
		return parameterName;
	}
}
