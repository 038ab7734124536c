package io.hapireindex.index;

import org.apache.commons.text.StringEscapeUtils;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

import java.util.List;

/**
 * Renders an {@link IndexDiff} as the {@code Parameters} of HAPI's instance reindex report: a
 * {@code Narrative}, {@code Message}s, and one parameter per non-empty section whose parts are the rows.
 * Unlike HAPI's narrative, every section is shown (HAPI's template leaves out dates and coordinates).
 */
public final class IndexReport {

	private IndexReport() {}

	public static Parameters toParameters(IndexDiff diff, List<String> messages) {
		Parameters parameters = new Parameters();
		parameters.addParameter().setName("Narrative").setValue(new StringType(narrative(diff, messages)));
		for (String message : messages) {
			parameters.addParameter("Message", new StringType(message));
		}
		for (IndexSection section : IndexSection.values()) {
			List<IndexDiff.Entry> entries = diff.entries(section);
			if (entries.isEmpty()) {
				continue;
			}
			Parameters.ParametersParameterComponent sectionParam =
					parameters.addParameter().setName(section.parameterName());
			for (IndexDiff.Entry entry : entries) {
				IndexRow row = entry.row();
				Parameters.ParametersParameterComponent rowPart = sectionParam.addPart().setName(row.paramName());
				rowPart.addPart().setName("Action").setValue(new CodeType(entry.action().name()));
				rowPart.addPart().setName("Type").setValue(new CodeType(row.type()));
				row.values().forEach((name, value) -> rowPart.addPart().setName(name).setValue(new StringType(value)));
			}
		}
		return parameters;
	}

	/** An XHTML fragment; every value is escaped because index values come from resource content. */
	static String narrative(IndexDiff diff, List<String> messages) {
		StringBuilder html = new StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
		for (String message : messages) {
			html.append("<p>").append(escape(message)).append("</p>");
		}
		for (IndexSection section : IndexSection.values()) {
			List<IndexDiff.Entry> entries = diff.entries(section);
			if (entries.isEmpty()) {
				continue;
			}
			html.append("<h2>").append(escape(section.parameterName())).append("</h2>");
			html.append("<table class=\"hapiPropertyTable\"><thead><tr>")
					.append("<th>Action</th><th>Parameter</th><th>Type</th><th>Values</th>")
					.append("</tr></thead><tbody>");
			for (IndexDiff.Entry entry : entries) {
				IndexRow row = entry.row();
				html.append("<tr><td>")
						.append(entry.action().name())
						.append("</td><td>")
						.append(escape(row.paramName()))
						.append("</td><td>")
						.append(escape(row.type()))
						.append("</td><td>")
						.append(escape(row.valuesText()))
						.append("</td></tr>");
			}
			html.append("</tbody></table>");
		}
		return html.append("</div>").toString();
	}

	private static String escape(String text) {
		return StringEscapeUtils.escapeXml10(text);
	}
}
