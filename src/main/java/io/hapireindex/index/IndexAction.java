package io.hapireindex.index;

/** What a reindex does (or, in a dry run, would do) to one index row. */
public enum IndexAction {
	ADD,
	REMOVE,
	NO_CHANGE
}
