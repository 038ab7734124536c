package io.hapireindex.it;

import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PrimitiveType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test-side reading of an instance reindex report ({@code Parameters}). */
public record ReindexReport(Parameters parameters, List<Row> rows) {

	public record Row(String section, String param, String action, String type, Map<String, String> values) {}

	public static ReindexReport of(Parameters parameters) {
		List<Row> rows = new ArrayList<>();
		for (Parameters.ParametersParameterComponent section : parameters.getParameter()) {
			for (Parameters.ParametersParameterComponent row : section.getPart()) {
				Map<String, String> parts = new LinkedHashMap<>();
				for (Parameters.ParametersParameterComponent part : row.getPart()) {
					parts.put(part.getName(), ((PrimitiveType<?>) part.getValue()).getValueAsString());
				}
				String action = parts.remove("Action");
				String type = parts.remove("Type");
				rows.add(new Row(section.getName(), row.getName(), action, type, parts));
			}
		}
		return new ReindexReport(parameters, rows);
	}

	public List<Row> rows(String section, String param, String action) {
		return rows.stream()
				.filter(r -> r.section().equals(section) && r.param().equals(param) && r.action().equals(action))
				.toList();
	}

	public long count(String action) {
		return rows.stream().filter(r -> r.action().equals(action)).count();
	}

	public String narrative() {
		return parameters.getParameter("Narrative").getValue().primitiveValue();
	}

	public List<String> messages() {
		return parameters.getParameter().stream()
				.filter(p -> p.getName().equals("Message"))
				.map(p -> p.getValue().primitiveValue())
				.toList();
	}
}
