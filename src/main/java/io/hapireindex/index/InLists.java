package io.hapireindex.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code IN} lists padded to a few lengths.
 *
 * <p>Why: each length of an {@code IN (?, ?, ...)} list is a statement of its own for the JDBC driver's statement
 * cache (PostgreSQL's keeps up to 256 per connection) and for Hibernate's query plans. A batch's lists have every
 * length from 1 to the batch size (the resources of a page with rows in a sparse index table, a page's last
 * resources), so a long job filled those caches with near-copies of the same statement: over a thousand cached
 * statements, several kilobytes each, were seen in a 200,000-resource reindex. Padded to a power of two by
 * repeating the last value, which changes no result, a query has about ten shapes.
 */
public final class InLists {

	private static final int SMALLEST = 8;

	/** The most values in one list: the cap HAPI's {@code QueryChunker} puts on its {@code IN} lists. */
	public static final int PAGE = 800;

	private InLists() {}

	/** The values, the last one repeated up to the next power of two (at least 8); empty stays empty. */
	public static <T> List<T> padded(Collection<T> values) {
		List<T> list = new ArrayList<>(values);
		if (list.isEmpty()) {
			return list;
		}
		int size = SMALLEST;
		while (size < list.size()) {
			size <<= 1;
		}
		T last = list.get(list.size() - 1);
		while (list.size() < size) {
			list.add(last);
		}
		return list;
	}

	/** The values in pages of at most {@link #PAGE}, each {@link #padded}. */
	public static <T> List<List<T>> paddedPages(Collection<T> values) {
		return pages(values, PAGE).stream().map(InLists::padded).toList();
	}

	/** The values, in their order, in consecutive pages of {@code size} (the last one may be shorter). */
	public static <T> List<List<T>> pages(Collection<T> values, int size) {
		List<T> list = List.copyOf(values);
		List<List<T>> pages = new ArrayList<>();
		for (int from = 0; from < list.size(); from += size) {
			pages.add(list.subList(from, Math.min(list.size(), from + size)));
		}
		return pages;
	}
}
