package io.hapireindex.operation;

/** Names of the operations this module answers. HAPI's bindings of the same names are removed. */
public final class OperationNames {

	public static final String REINDEX = "$reindex";
	public static final String REINDEX_DRYRUN = "$reindex-dryrun";
	public static final String TERMINOLOGY_REINDEX = "$terminology-reindex";

	private OperationNames() {}
}
