package io.hapireindex.index;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 *
 * <p>A targeted job goes further: it parses only the top-level members its parameters' expressions name
 * ({@link #membersReadBy}). Parsing whole Observations to read one {@code status} was a fifth of a targeted
 * job, profiled.
 */
final class IndexingParser {

	private static final String DIV_KEY = "\"div\":\"";
	/** What HAPI's parser and every resource need whatever a parameter reads. */
	private static final Set<String> ALWAYS_KEPT = Set.of("resourceType", "id", "meta", "implicitRules", "language");
	private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

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
		return parse(entity, skipNarrative ? IndexingParser::withoutNarrative : null);
	}

	/**
	 * The resource as HAPI's parser gives it, from the stored text with {@code cut} applied (null: as stored).
	 * Text HAPI keeps elsewhere than in {@code RES_TEXT_VC} (a compressed LOB) is parsed whole.
	 */
	IBaseResource parse(ResourceTable entity, UnaryOperator<String> cut) {
		ResourceHistoryTable history = cut != null ? entity.getCurrentVersionEntity() : null;
		String stored = history == null ? null : history.getResourceTextVc();
		String shown = stored == null ? null : cut.apply(stored);
		if (shown == null || shown.equals(stored)) {
			return parser.toResource(entity, false);
		}
		history.setResourceTextVc(shown);
		try {
			return parser.toResource(entity, false);
		} finally {
			history.setResourceTextVc(stored);
		}
	}

	/**
	 * The top-level members of this type's JSON that the named parameters' expressions can read: every word of
	 * the expressions counts as a member name (so a word in a {@code where()} or a string literal only keeps
	 * more), and {@code value} keeps the choice members {@code valueQuantity}, {@code valueString}...
	 *
	 * @return null when an expression can reach members it does not name (a tree walk, {@code resolve()})
	 */
	Set<String> membersReadBy(String resourceType, Collection<String> names) {
		Set<String> words = new HashSet<>(ALWAYS_KEPT);
		for (String name : names) {
			RuntimeSearchParam sp = registry.getActiveSearchParam(
					resourceType, name, ISearchParamRegistry.SearchParamLookupContextEnum.ALL);
			String path = sp == null ? null : sp.getPath();
			if (path == null || path.isBlank()) {
				return null;
			}
			String lower = path.toLowerCase(Locale.ROOT);
			if (lower.contains("descendants") || lower.contains("children") || lower.contains("repeat(")
					|| lower.contains("resolve(") || lower.contains("%context")) {
				return null;
			}
			Matcher m = IDENTIFIER.matcher(path);
			while (m.find()) {
				words.add(m.group());
			}
		}
		return words;
	}

	/** Whether a top-level member is kept for these words: itself, its choice forms, its primitive extensions. */
	static boolean kept(String member, Set<String> words) {
		String name = member.startsWith("_") ? member.substring(1) : member;
		if (words.contains(name)) {
			return true;
		}
		for (int i = 1; i < name.length(); i++) {
			if (Character.isUpperCase(name.charAt(i)) && words.contains(name.substring(0, i))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The JSON object with only the top-level members {@link #kept} for these words, narratives of the kept ones
	 * cut as well; the text unchanged if it is not the plain object HAPI writes.
	 */
	static String keepMembers(String json, Set<String> words) {
		StringBuilder out = new StringBuilder(json.length() / 4);
		int i = skipSpace(json, 0);
		if (i >= json.length() || json.charAt(i) != '{') {
			return json;
		}
		out.append('{');
		i++;
		boolean first = true;
		while (true) {
			i = skipSpace(json, i);
			if (i < json.length() && json.charAt(i) == '}') {
				break;
			}
			if (i >= json.length() || json.charAt(i) != '"') {
				return json;
			}
			int keyEnd = stringEnd(json, i + 1);
			if (keyEnd < 0) {
				return json;
			}
			String key = json.substring(i + 1, keyEnd);
			int colon = skipSpace(json, keyEnd + 1);
			if (colon >= json.length() || json.charAt(colon) != ':') {
				return json;
			}
			int valueStart = skipSpace(json, colon + 1);
			int valueEnd = valueEnd(json, valueStart);
			if (valueEnd < 0) {
				return json;
			}
			if (kept(key, words)) {
				if (!first) {
					out.append(',');
				}
				out.append(json, i, valueEnd);
				first = false;
			}
			i = skipSpace(json, valueEnd);
			if (i < json.length() && json.charAt(i) == ',') {
				i++;
			} else if (i >= json.length() || json.charAt(i) != '}') {
				return json;
			}
		}
		return withoutNarrative(out.append('}').toString());
	}

	private static int skipSpace(String json, int i) {
		while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
			i++;
		}
		return i;
	}

	/** The index just past the JSON value starting at {@code start}, or -1. */
	private static int valueEnd(String json, int start) {
		if (start >= json.length()) {
			return -1;
		}
		char c = json.charAt(start);
		if (c == '"') {
			int end = stringEnd(json, start + 1);
			return end < 0 ? -1 : end + 1;
		}
		if (c == '{' || c == '[') {
			int depth = 0;
			for (int i = start; i < json.length(); i++) {
				char d = json.charAt(i);
				if (d == '"') {
					i = stringEnd(json, i + 1);
					if (i < 0) {
						return -1;
					}
				} else if (d == '{' || d == '[') {
					depth++;
				} else if (d == '}' || d == ']') {
					if (--depth == 0) {
						return i + 1;
					}
				}
			}
			return -1;
		}
		int i = start;
		while (i < json.length() && ",}] \t\r\n".indexOf(json.charAt(i)) < 0) {
			i++;
		}
		return i == start ? -1 : i;
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
