package io.hapireindex.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The difference between the index rows stored for a resource and the rows it has (or should have) after
 * reindexing. Rows compare by value, so duplicates collapse: HAPI stores one row per distinct value.
 */
public final class IndexDiff {

	/** One row and what happens to it. */
	public record Entry(IndexAction action, IndexRow row) {}

	private final List<Entry> entries;

	private IndexDiff(List<Entry> entries) {
		this.entries = List.copyOf(entries);
	}

	public static IndexDiff between(Collection<IndexRow> before, Collection<IndexRow> after) {
		Set<IndexRow> beforeSet = new HashSet<>(before);
		Set<IndexRow> afterSet = new HashSet<>(after);
		List<Entry> entries = new ArrayList<>();
		for (IndexRow row : IndexRow.sorted(afterSet)) {
			entries.add(new Entry(beforeSet.contains(row) ? IndexAction.NO_CHANGE : IndexAction.ADD, row));
		}
		for (IndexRow row : IndexRow.sorted(beforeSet)) {
			if (!afterSet.contains(row)) {
				entries.add(new Entry(IndexAction.REMOVE, row));
			}
		}
		entries.sort((a, b) -> {
			int c = a.row().compareTo(b.row());
			return c != 0 ? c : a.action().compareTo(b.action());
		});
		return new IndexDiff(entries);
	}

	public List<Entry> entries() {
		return entries;
	}

	public List<Entry> entries(IndexSection section) {
		return entries.stream().filter(e -> e.row().section() == section).toList();
	}

	public long count(IndexAction action) {
		return entries.stream().filter(e -> e.action() == action).count();
	}

	/** Keeps only the rows of the given search parameters (the dry run's {@code code} filter). */
	public IndexDiff restrictTo(Predicate<IndexRow> keep) {
		return new IndexDiff(entries.stream().filter(e -> keep.test(e.row())).toList());
	}
}
