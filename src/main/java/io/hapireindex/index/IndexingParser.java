package io.hapireindex.index;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.util.Locale;

/**
 * Parses a stored resource for index extraction, skipping its narrative when no search parameter can read it.
 *
 * <p>Why: HAPI's parser builds a new {@code XhtmlParser} for every narrative, and that constructor fills a map
 * of about two thousand HTML entities each time. Profiled on the benchmark's data (every resource has a
 * generated narrative), that alone was 18% of a full reindex, and parsing the XHTML itself more. No built-in
 * parameter indexes the narrative ({@code _text} is fulltext, which this path does not serve).
 *
 * <p>How: the stored JSON's {@code "div"} members are cut out of the text handed to HAPI's own
 * {@link IJpaStorageResourceParser}, so ids, versions, tags, profiles and source come out exactly as HAPI sets
 * them. The history entity's text is swapped for the parse and put back at once; the session flushes only at
 * commit, so it is never written. In FHIR JSON only {@code Narrative.div} has that name.
 */
final class IndexingParser {

	private static final String DIV_KEY = "\"div\":\"";

	private final IJpaStorageResourceParser parser;
	private final ISearchParamRegistry registry;

	IndexingParser(IJpaStorageResourceParser parser, ISearchParamRegistry registry) {
		this.parser = parser;
		this.registry = registry;
	}

	/** Whether this type's parameters can do without the narrative (asked once per batch). */
	boolean narrativeUnused(String resourceType) {
		for (RuntimeSearchParam sp : registry
				.getActiveSearchParams(resourceType, ISearchParamRegistry.SearchParamLookupContextEnum.ALL)
				.values()) {
			String path = sp.getPath() == null ? "" : sp.getPath().toLowerCase(Locale.ROOT);
			// the narrative directly, or whatever a tree walk reaches
			if (path.contains("div") || path.contains("narrative") || path.contains("descendants")
					|| path.contains("children") || path.contains("repeat(")) {
				return false;
			}
		}
		return true;
	}

	IBaseResource parse(ResourceTable entity, boolean skipNarrative) {
		ResourceHistoryTable history = skipNarrative ? entity.getCurrentVersionEntity() : null;
		String stored = history == null ? null : history.getResourceTextVc();
		if (stored == null || !stored.contains(DIV_KEY)) {
			return parser.toResource(entity, false);
		}
		history.setResourceTextVc(withoutNarrative(stored));
		try {
			return parser.toResource(entity, false);
		} finally {
			history.setResourceTextVc(stored);
		}
	}

	/** The JSON without its {@code "div"} members (compact JSON as HAPI stores it). */
	static String withoutNarrative(String json) {
		StringBuilder out = new StringBuilder(json.length());
		int from = 0;
		int at = json.indexOf(DIV_KEY);
		while (at > 0) {
			char before = json.charAt(at - 1);
			int end = stringEnd(json, at + DIV_KEY.length());
			if ((before != ',' && before != '{') || end < 0) {
				// not a member key (cannot happen in valid JSON); leave it
				at = json.indexOf(DIV_KEY, at + 1);
				continue;
			}
			int cutFrom = at;
			int cutTo = end + 1;
			if (before == ',') {
				cutFrom--;
			} else if (cutTo < json.length() && json.charAt(cutTo) == ',') {
				cutTo++;
			}
			out.append(json, from, cutFrom);
			from = cutTo;
			at = json.indexOf(DIV_KEY, cutTo);
		}
		return from == 0 ? json : out.append(json, from, json.length()).toString();
	}

	/** Index of the quote closing the JSON string whose content starts at {@code start}, or -1. */
	private static int stringEnd(String json, int start) {
		for (int i = start; i < json.length(); i++) {
			char c = json.charAt(i);
			if (c == '\\') {
				i++;
			} else if (c == '"') {
				return i;
			}
		}
		return -1;
	}
}
