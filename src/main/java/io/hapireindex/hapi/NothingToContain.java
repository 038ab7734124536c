package io.hapireindex.hapi;

import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IDomainResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;

/**
 * Spares HAPI's extractor its containment pass over a stored resource that contains nothing.
 *
 * <p>Why: HAPI 8.8's {@code extractFromResource} starts with {@code FhirTerser.containResources(resource, null, true)},
 * a reflective walk of the whole resource looking for references that carry a resource object to contain. A resource
 * parsed from storage has such references only for its {@code contained} resources, so for one without any the walk
 * finds nothing; on Synthea's data it was 7% of a full reindex's CPU. The terser keeps its result on the resource
 * under a private user data key and returns it when asked again; this puts the empty result it would compute there
 * first.
 *
 * <p>When a HAPI version no longer has the key, nothing is marked and HAPI walks as before (slower, same rows).
 * {@code NothingToContainContractIT} checks that the terser takes the mark.
 */
public final class NothingToContain {

	private static final Logger LOG = LoggerFactory.getLogger(NothingToContain.class);
	private static final String KEY = completedKey();

	private NothingToContain() {}

	/**
	 * Marks a resource just parsed from storage as having nothing to contain, if it has no contained resources.
	 * Only for resources parsed from stored text: one built in memory may hold references with resource objects.
	 */
	public static void markParsed(IBaseResource resource) {
		if (KEY != null && resource instanceof IDomainResource domain && domain.getContained().isEmpty()) {
			resource.setUserData(KEY, new FhirTerser.ContainedResources());
		}
	}

	/** The mark on a resource, null when it has none (for the contract test). */
	static Object markOf(IBaseResource resource) {
		return KEY == null ? null : resource.getUserData(KEY);
	}

	/** Whether this HAPI version has the key (false: HAPI walks every resource). */
	public static boolean active() {
		return KEY != null;
	}

	private static String completedKey() {
		try {
			Field field = FhirTerser.class.getDeclaredField("USER_DATA_KEY_CONTAIN_RESOURCES_COMPLETED");
			field.setAccessible(true);
			return (String) field.get(null);
		} catch (ReflectiveOperationException | RuntimeException e) {
			LOG.info("HAPI's FhirTerser has no containment result key ({}): the extractor walks every resource for"
					+ " resources to contain", e.toString());
			return null;
		}
	}
}
