package io.hapireindex.job;

import io.hapireindex.hapi.ResourceTables;
import io.hapireindex.index.InLists;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which resources of a batch still exist. One deleted or expunged since its id was loaded is skipped and counted, not
 * failed (HAPI's own job throws a NullPointerException on the latter), whether it went before or during the batch.
 */
final class LiveResources {

	private final ResourceTables resourceTables;

	LiveResources(ResourceTables resourceTables) {
		this.resourceTables = resourceTables;
	}

	/** pid to FHIR id of the resources that still exist and are not deleted, in the batch's order. */
	Map<Long, String> of(List<Long> pids) {
		Map<Long, String> live = new HashMap<>();
		for (List<Long> page : InLists.paddedPages(pids)) {
			live.putAll(resourceTables.liveFhirIds(page));
		}
		Map<Long, String> ordered = new LinkedHashMap<>();
		pids.stream().filter(live::containsKey).forEach(p -> ordered.put(p, live.get(p)));
		return ordered;
	}

	/**
	 * A resource deleted or expunged while its batch ran fails its attempts ("changed while it was reindexed", "is
	 * gone"): it is skipped, like one already gone when the batch started, not failed. Removes those failures.
	 *
	 * @return how many there were
	 */
	int dropVanished(String resourceType, Map<Long, String> live, Map<String, String> failures) {
		if (failures.isEmpty()) {
			return 0;
		}
		List<Long> failed = live.entrySet().stream()
				.filter(e -> failures.containsKey(resourceType + "/" + e.getValue()))
				.map(Map.Entry::getKey)
				.toList();
		Map<Long, String> stillLive = of(failed);
		int vanished = 0;
		for (Long pid : failed) {
			if (!stillLive.containsKey(pid)) {
				failures.remove(resourceType + "/" + live.get(pid));
				vanished++;
			}
		}
		return vanished;
	}
}
