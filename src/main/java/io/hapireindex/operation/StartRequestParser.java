package io.hapireindex.operation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.ReindexParameters;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.hapireindex.hapi.SearchParamUrls;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexJobRules;
import io.hapireindex.job.ReindexScope;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static io.hapireindex.operation.StartParameterNames.*;

/**
 * Turns a {@code $reindex} request body into {@link ReindexJobParameters}, or a 400 that names the
 * parameter. Nothing is written before this has succeeded, so a rejected request leaves no job behind.
 */
public class StartRequestParser {

	static final int MAX_BATCH_SIZE = ReindexJobRules.MAX_BATCH_SIZE;
	static final int MAX_CONCURRENCY_LIMIT = ReindexJobRules.MAX_CONCURRENCY;
	static final int MAX_QUERY_DELAY = ReindexJobRules.MAX_QUERY_DELAY_MILLIS;
	private static final Pattern TYPE_PATTERN = Pattern.compile("^[A-Z][A-Za-z]+$");

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final MatchUrlService matchUrlService;
	private final ISearchParamRegistry searchParamRegistry;
	private final PartitionSelection partitions;
	private final Defaults defaults;
	private final SearchParamUrls searchParamUrls;

	/** What a request that names no batch size or concurrency gets (the module's {@code default-*} settings). */
	public record Defaults(int batchSize, int maximumConcurrency) {}

	public StartRequestParser(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			MatchUrlService matchUrlService,
			ISearchParamRegistry searchParamRegistry,
			PartitionSelection partitions,
			SearchParamUrls searchParamUrls,
			Defaults defaults) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.searchParamUrls = searchParamUrls;
		this.matchUrlService = matchUrlService;
		this.searchParamRegistry = searchParamRegistry;
		this.partitions = partitions;
		this.defaults = defaults;
	}

	/**
	 * @param body          the request's parameters in order (see {@link RequestBodies}); empty for an empty body
	 * @param levelType     the type of a type-level call ({@code [base]/Patient/$reindex}), or null
	 * @param callerPartition the partition HAPI resolved for the request, used when no partitionId is given
	 */
	public ReindexJobParameters parse(List<GivenParameter> body, String levelType, RequestPartitionId callerPartition) {
		Map<String, List<String>> given =
				RequestBodies.collect(body, ALL, REPEATABLE, "primitive value (valueString, valueCode, valueInteger...)");

		RequestPartitionId partition = partitions.requested(given.get(PARTITION_ID), callerPartition);
		List<String> searchParameterUrls = new ArrayList<>();
		Set<String> targetTypes = targetedTypes(given, searchParameterUrls);

		Set<String> wholeTypes = new LinkedHashSet<>();
		List<ReindexScope> scopes = new ArrayList<>();
		for (String url : given.getOrDefault(URL, List.of())) {
			String type = urlType(url);
			checkLevel(URL, type, levelType);
			if (url.indexOf('?') < 0 || url.endsWith("?")) {
				wholeTypes.add(type);
			} else {
				scopes.add(new ReindexScope(type, url, partition));
			}
		}
		for (String type : given.getOrDefault(RESOURCE_TYPE, List.of())) {
			if (type.equals("*")) {
				wholeTypes.addAll(levelType != null ? List.of(levelType) : allTypes());
			} else {
				wholeTypes.add(checkType(RESOURCE_TYPE, type, levelType));
			}
		}
		for (String list : given.getOrDefault(TARGET_RESOURCE_TYPES, List.of())) {
			for (String type : list.split(",")) {
				wholeTypes.add(checkType(TARGET_RESOURCE_TYPES, type.trim(), levelType));
			}
		}
		List<String> resourceIds = new ArrayList<>();
		for (String id : given.getOrDefault(RESOURCE_ID, List.of())) {
			checkType(RESOURCE_ID, RequestBodies.resourceIdType(RESOURCE_ID, id), levelType);
			resourceIds.add(id);
		}

		boolean anyScope = !wholeTypes.isEmpty() || !scopes.isEmpty() || !resourceIds.isEmpty();
		if (!anyScope) {
			wholeTypes.addAll(levelType != null ? List.of(levelType) : allTypes());
		}
		if (targetTypes != null) {
			// targeted: only the types the named parameters apply to are scanned
			wholeTypes.retainAll(targetTypes);
			scopes.removeIf(s -> !targetTypes.contains(s.resourceType()));
			resourceIds.removeIf(id -> !targetTypes.contains(id.substring(0, id.indexOf('/'))));
			if (wholeTypes.isEmpty() && scopes.isEmpty() && resourceIds.isEmpty()) {
				throw new InvalidStartParameterException(
						given.containsKey(SEARCH_PARAMETER) ? SEARCH_PARAMETER : TARGET_SEARCH_PARAMETER_TYPES,
						"none of the requested resources is of a type the parameters apply to " + targetTypes);
			}
		}
		List<ReindexScope> allScopes = new ArrayList<>();
		new TreeSet<>(wholeTypes).forEach(type -> allScopes.add(new ReindexScope(type, null, partition)));
		allScopes.addAll(scopes);
		List<ReindexScope> planned = partitions.splitByPartition(allScopes, partition);

		String batchSizeName = given.containsKey(MAX_RESOURCES_PER_QUERY) ? MAX_RESOURCES_PER_QUERY : BATCH_SIZE;
		if (given.containsKey(MAX_RESOURCES_PER_QUERY) && given.containsKey(BATCH_SIZE)) {
			throw new InvalidStartParameterException(BATCH_SIZE, "give either batchSize or " + MAX_RESOURCES_PER_QUERY + ", not both");
		}
		return ReindexJobParameters.builder()
				.scopes(planned)
				.resourceIds(resourceIds)
				.searchParameterUrls(searchParameterUrls)
				.reindexSearchParameters(enumValue(given, REINDEX_SEARCH_PARAMETERS,
						ReindexParameters.ReindexSearchParametersEnum.class, ReindexParameters.ReindexSearchParametersEnum.ALL))
				.optimizeStorage(enumValue(given, OPTIMIZE_STORAGE, ReindexParameters.OptimizeStorageModeEnum.class,
						ReindexParameters.OptimizeStorageModeEnum.NONE))
				.optimisticLock(booleanValue(given, OPTIMISTIC_LOCK, true))
				.correctCurrentVersion(enumValue(given, CORRECT_CURRENT_VERSION,
						ReindexParameters.CorrectCurrentVersionModeEnum.class, ReindexParameters.CorrectCurrentVersionModeEnum.NONE))
				.batchSize(intValue(given, batchSizeName, defaults.batchSize(), 1, MAX_BATCH_SIZE))
				.maximumConcurrency(intValue(given, MAX_CONCURRENCY, defaults.maximumConcurrency(), 1, MAX_CONCURRENCY_LIMIT))
				.queryDelayMillis(intValue(given, QUERY_DELAY, 0, 0, MAX_QUERY_DELAY))
				.targetDataStoreUsagePercentage(intValue(given, DATA_STORE_USAGE, 100, 1, 100))
				.partition(partition)
				.request(given)
				.build();
	}

	/** Resolves searchParameter (ids) and targetSearchParameterTypes (URLs); null when the job is not targeted. */
	private Set<String> targetedTypes(Map<String, List<String>> given, List<String> urlsOut) {
		List<String> ids = given.getOrDefault(SEARCH_PARAMETER, List.of());
		List<String> urls = new ArrayList<>();
		given.getOrDefault(TARGET_SEARCH_PARAMETER_TYPES, List.of())
				.forEach(list -> List.of(list.split(",")).forEach(u -> urls.add(u.trim())));
		if (ids.isEmpty() && urls.isEmpty()) {
			return null;
		}
		Map<String, RuntimeSearchParam> byId = new LinkedHashMap<>();
		Map<String, RuntimeSearchParam> byUrl = new LinkedHashMap<>();
		Map<String, Set<String>> typesByUri = new LinkedHashMap<>();
		Map<RuntimeSearchParam, String> urlOf = new java.util.IdentityHashMap<>();
		for (String type : allTypes()) {
			for (RuntimeSearchParam sp : searchParamRegistry
					.getActiveSearchParams(type, ISearchParamRegistry.SearchParamLookupContextEnum.ALL)
					.values()) {
				if (sp.getId() != null && sp.getId().getIdPart() != null) {
					byId.putIfAbsent(sp.getId().getIdPart(), sp);
				}
				String url = searchParamUrls.url(sp);
				if (url != null) {
					urlOf.putIfAbsent(sp, url);
					byUrl.putIfAbsent(url, sp);
					typesByUri.computeIfAbsent(url, k -> new TreeSet<>()).add(type);
				}
			}
		}
		Set<String> types = new TreeSet<>();
		for (String id : ids) {
			RuntimeSearchParam sp = byId.get(id);
			if (sp == null) {
				throw new InvalidStartParameterException(SEARCH_PARAMETER, "no active SearchParameter with id '" + id + "'");
			}
			String url = urlOf.get(sp);
			if (url == null) {
				throw new InvalidStartParameterException(SEARCH_PARAMETER, "the SearchParameter with id '" + id + "' has no url");
			}
			urlsOut.add(url);
			types.addAll(typesByUri.get(url));
		}
		for (String url : urls) {
			if (!byUrl.containsKey(url)) {
				throw new InvalidStartParameterException(
						TARGET_SEARCH_PARAMETER_TYPES, "no active SearchParameter with url '" + url + "'");
			}
			if (!urlsOut.contains(url)) {
				urlsOut.add(url);
			}
			types.addAll(typesByUri.get(url));
		}
		return types;
	}

	private String urlType(String url) {
		int q = url.indexOf('?');
		String type = q < 0 ? url : url.substring(0, q);
		if (!TYPE_PATTERN.matcher(type).matches() || !daoRegistry.isResourceTypeSupported(type)) {
			throw new InvalidStartParameterException(URL, "'" + url + "' must be a relative search URL 'Type?params' of a supported type");
		}
		if (q >= 0 && q < url.length() - 1) {
			try {
				matchUrlService.translateMatchUrl(url, fhirContext.getResourceDefinition(type));
			} catch (BaseServerResponseException | IllegalArgumentException e) {
				throw new InvalidStartParameterException(URL, "'" + url + "' is not a valid search: " + e.getMessage());
			}
		}
		return type;
	}

	private String checkType(String param, String type, String levelType) {
		if (!TYPE_PATTERN.matcher(type).matches() || !daoRegistry.isResourceTypeSupported(type)) {
			throw new InvalidStartParameterException(param, "'" + type + "' is not a resource type this server stores");
		}
		checkLevel(param, type, levelType);
		return type;
	}

	private static void checkLevel(String param, String type, String levelType) {
		if (levelType != null && !levelType.equals(type)) {
			throw new InvalidStartParameterException(param, "'" + type + "' is outside " + levelType + "/$reindex");
		}
	}

	private List<String> allTypes() {
		return new ArrayList<>(new TreeSet<>(daoRegistry.getRegisteredDaoTypes()));
	}

	private static <E extends Enum<E>> E enumValue(Map<String, List<String>> given, String name, Class<E> type, E dflt) {
		List<String> v = given.get(name);
		if (v == null) {
			return dflt;
		}
		for (E e : type.getEnumConstants()) {
			if (e.name().equalsIgnoreCase(v.get(0))) {
				return e;
			}
		}
		List<String> allowed = new ArrayList<>();
		for (E e : type.getEnumConstants()) {
			allowed.add(e.name());
		}
		throw new InvalidStartParameterException(name, "'" + v.get(0) + "' is not one of " + allowed);
	}

	private static boolean booleanValue(Map<String, List<String>> given, String name, boolean dflt) {
		List<String> v = given.get(name);
		if (v == null) {
			return dflt;
		}
		return switch (v.get(0).toLowerCase(Locale.ROOT)) {
			case "true" -> true;
			case "false" -> false;
			default -> throw new InvalidStartParameterException(name, "'" + v.get(0) + "' is not true or false");
		};
	}

	/** Azure sends integers as strings ({@code "valueInteger": "3"}); decimals must be whole numbers. */
	private static int intValue(Map<String, List<String>> given, String name, int dflt, int min, int max) {
		List<String> v = given.get(name);
		if (v == null) {
			return dflt;
		}
		int value;
		try {
			BigDecimal d = new BigDecimal(v.get(0));
			value = d.intValueExact();
		} catch (NumberFormatException | ArithmeticException e) {
			throw new InvalidStartParameterException(name, "'" + v.get(0) + "' is not a whole number");
		}
		if (value < min || value > max) {
			throw new InvalidStartParameterException(name, value + " is out of range " + min + ".." + max);
		}
		return value;
	}
}
