package io.hapireindex.index;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One index row as a plain value, detached from Hibernate.
 *
 * <p>HAPI's own instance reindex diffs the live index entities, which its reindex mutates in place, so a
 * changed value shows up as NO_CHANGE carrying the new value. Rows here are copied before anything is
 * written, and compared by value, which makes a changed value a REMOVE of the old row and an ADD of the new.
 *
 * @param section   the report section the row belongs to
 * @param type      HAPI's index type name (Token, String, Date, Reference, ComboStringUnique...)
 * @param paramName the search parameter name (for combo indexes: the index string)
 * @param values    the row's value parts in display order (name to value text); nulls are left out
 */
public record IndexRow(IndexSection section, String type, String paramName, Map<String, String> values)
		implements Comparable<IndexRow> {

	public IndexRow {
		Objects.requireNonNull(section, "section");
		Objects.requireNonNull(type, "type");
		paramName = paramName == null ? "(unknown)" : paramName;
		LinkedHashMap<String, String> copy = new LinkedHashMap<>();
		values.forEach((k, v) -> {
			if (v != null) {
				copy.put(k, v);
			}
		});
		values = java.util.Collections.unmodifiableMap(copy);
	}

	/** Builds a row from alternating part names and values, e.g. {@code "System", sys, "Value", val}. */
	public static IndexRow of(IndexSection section, String type, String paramName, String... nameValuePairs) {
		if (nameValuePairs.length % 2 != 0) {
			throw new IllegalArgumentException("name/value pairs expected");
		}
		LinkedHashMap<String, String> values = new LinkedHashMap<>();
		for (int i = 0; i < nameValuePairs.length; i += 2) {
			values.put(nameValuePairs[i], nameValuePairs[i + 1]);
		}
		return new IndexRow(section, type, paramName, values);
	}

	/** A short human-readable rendering of the values, for the narrative and log lines. */
	public String valuesText() {
		return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
	}

	@Override
	public int compareTo(IndexRow other) {
		int c = section.compareTo(other.section);
		if (c == 0) {
			c = paramName.compareTo(other.paramName);
		}
		if (c == 0) {
			c = type.compareTo(other.type);
		}
		if (c == 0) {
			c = valuesText().compareTo(other.valuesText());
		}
		return c;
	}

	/** Sorted copy, so reports are stable from one call to the next. */
	public static List<IndexRow> sorted(java.util.Collection<IndexRow> rows) {
		return rows.stream().sorted().toList();
	}
}
