package io.hapireindex.operation;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexScope;
import io.hapireindex.terminology.TerminologyStorage;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@code $terminology-reindex} body (Kodjin's {@code resourceType} 0..*, {@code resourceId} 0..*) into a
 * terminology job, or a 400 naming the parameter. As in Kodjin each parameter is processed on its own: a type and
 * an id of that type both given reindex that resource twice.
 */
public class TerminologyRequestParser {

	public static final String RESOURCE_TYPE = "resourceType";
	public static final String RESOURCE_ID = "resourceId";
	/** CodeSystem re-stores are heavy and fill HAPI's in-memory deferred queue: small chunks, one at a time. */
	static final int BATCH_SIZE = 20;

	private static final Pattern RESOURCE_ID_PATTERN = Pattern.compile("^([A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})$");
	private static final List<String> ORDER = List.of("CodeSystem", "ValueSet", "ConceptMap", "NamingSystem");

	private final DaoRegistry daoRegistry;
	private final PartitionSelection partitions;

	public TerminologyRequestParser(DaoRegistry daoRegistry, PartitionSelection partitions) {
		this.daoRegistry = daoRegistry;
		this.partitions = partitions;
	}

	/**
	 * @param levelType the type of a type-level call, or null at server level
	 */
	public ReindexJobParameters parse(Parameters body, String levelType, RequestPartitionId callerPartition) {
		Map<String, List<String>> given = new LinkedHashMap<>();
		if (body != null) {
			for (Parameters.ParametersParameterComponent p : body.getParameter()) {
				String name = p.getName();
				if (!RESOURCE_TYPE.equals(name) && !RESOURCE_ID.equals(name)) {
					throw new InvalidStartParameterException(
							String.valueOf(name), "unknown parameter. Allowed: " + RESOURCE_TYPE + ", " + RESOURCE_ID);
				}
				if (!(p.getValue() instanceof IPrimitiveType<?> primitive) || primitive.getValueAsString() == null
						|| primitive.getValueAsString().isBlank()) {
					throw new InvalidStartParameterException(name, "needs a non-empty valueString");
				}
				given.computeIfAbsent(name, k -> new ArrayList<>()).add(primitive.getValueAsString().trim());
			}
		}
		Set<String> types = new TreeSet<>();
		for (String type : given.getOrDefault(RESOURCE_TYPE, List.of())) {
			types.add(checkType(RESOURCE_TYPE, type, levelType));
		}
		List<String> ids = new ArrayList<>();
		for (String id : given.getOrDefault(RESOURCE_ID, List.of())) {
			Matcher m = RESOURCE_ID_PATTERN.matcher(id);
			if (!m.matches()) {
				throw new InvalidStartParameterException(RESOURCE_ID, "'" + id + "' is not of the form Type/id");
			}
			checkType(RESOURCE_ID, m.group(1), levelType);
			ids.add(id);
		}
		if (types.isEmpty() && ids.isEmpty()) {
			if (levelType != null) {
				types.add(levelType);
			} else {
				ORDER.stream().filter(daoRegistry::isResourceTypeSupported).forEach(types::add);
			}
		}
		RequestPartitionId partition = partitions.callerOrAll(callerPartition);
		List<ReindexScope> scopes = partitions.splitByPartition(
				ORDER.stream().filter(types::contains).map(t -> new ReindexScope(t, null, partition)).toList(),
				partition);
		return ReindexJobParameters.builder()
				.scopes(scopes)
				.resourceIds(ids)
				.batchSize(BATCH_SIZE)
				.maximumConcurrency(1)
				.partition(partition)
				.request(given)
				.terminology(true)
				.build();
	}

	private String checkType(String param, String type, String levelType) {
		if (!TerminologyStorage.TYPES.contains(type)) {
			throw new InvalidStartParameterException(
					param, "'" + type + "' is not a terminology resource type; allowed: " + String.join(", ", ORDER));
		}
		if (!daoRegistry.isResourceTypeSupported(type)) {
			throw new InvalidStartParameterException(param, "'" + type + "' is not a resource type this server stores");
		}
		if (levelType != null && !levelType.equals(type)) {
			throw new InvalidStartParameterException(param, "'" + type + "' is outside " + levelType + "/$terminology-reindex");
		}
		return type;
	}
}
