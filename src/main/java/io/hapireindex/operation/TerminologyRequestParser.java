package io.hapireindex.operation;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexScope;
import io.hapireindex.terminology.TerminologyStorage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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

	/** Both repeatable; as in Kodjin each is processed on its own. */
	private static final List<String> ALLOWED = List.of(RESOURCE_TYPE, RESOURCE_ID);
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
	public ReindexJobParameters parse(List<GivenParameter> body, String levelType, RequestPartitionId callerPartition) {
		Map<String, List<String>> given = RequestBodies.collect(body, ALLOWED, ALLOWED, "valueString");
		Set<String> types = new TreeSet<>();
		for (String type : given.getOrDefault(RESOURCE_TYPE, List.of())) {
			types.add(checkType(RESOURCE_TYPE, type, levelType));
		}
		List<String> ids = new ArrayList<>();
		for (String id : given.getOrDefault(RESOURCE_ID, List.of())) {
			checkType(RESOURCE_ID, RequestBodies.resourceIdType(RESOURCE_ID, id), levelType);
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
