package io.hapireindex.index;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.ParametersUtil;
import org.apache.commons.text.StringEscapeUtils;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseParameters;

import java.util.List;

/**
 * Renders an {@link IndexDiff} as the {@code Parameters} of HAPI's instance reindex report: a
 * {@code Narrative}, {@code Message}s, and one parameter per non-empty section whose parts are the rows.
 * Unlike HAPI's narrative, every section is shown (HAPI's template leaves out dates and coordinates).
 */
public final class IndexReport {

	private IndexReport() {}

	/** The report as {@code Parameters} of the server's FHIR version. */
	public static IBaseParameters toParameters(FhirContext ctx, IndexDiff diff, List<String> messages) {
		IBaseParameters parameters = ParametersUtil.newInstance(ctx);
		ParametersUtil.addParameterToParametersString(ctx, parameters, "Narrative", narrative(diff, messages));
		for (String message : messages) {
			ParametersUtil.addParameterToParametersString(ctx, parameters, "Message", message);
		}
		for (IndexSection section : IndexSection.values()) {
			List<IndexDiff.Entry> entries = diff.entries(section);
			if (entries.isEmpty()) {
				continue;
			}
			IBase sectionParam = ParametersUtil.addParameterToParameters(ctx, parameters, section.parameterName());
			for (IndexDiff.Entry entry : entries) {
				IndexRow row = entry.row();
				IBase rowPart = ParametersUtil.addPart(ctx, sectionParam, row.paramName(), null);
				ParametersUtil.addPartCode(ctx, rowPart, "Action", entry.action().name());
				ParametersUtil.addPartCode(ctx, rowPart, "Type", row.type());
				row.values().forEach((name, value) -> ParametersUtil.addPartString(ctx, rowPart, name, value));
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
