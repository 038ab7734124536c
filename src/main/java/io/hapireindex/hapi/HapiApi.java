package io.hapireindex.hapi;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * HAPI API that the module's classes call directly and older HAPI versions lack. The jar is compiled against 8.8.0;
 * on a HAPI without these, building the module's parts fails with {@code NoClassDefFoundError} (in the host's context
 * refresh, which would take the host down) and calls fail with {@code NoSuchMethodError}. Checked by reflection before
 * any part is built: the feature configurations' condition and a startup check (the one ERROR line) ask it. HAPI
 * 8.4.0 lacks all four; HapiLinkageTest lists every member the classes call, this only the ones known to differ.
 */
public final class HapiApi {

	/** Class, method, return type (simple name) and parameter types of each call, as 8.6.0 and 8.8.0 have it. */
	private record Member(String className, String method, String returns, String... parameterTypes) {
		String describe() {
			return className.substring(className.lastIndexOf('.') + 1).replace('$', '.') + "." + method
					+ "(" + String.join(", ", List.of(parameterTypes).stream().map(t -> t.substring(t.lastIndexOf('.') + 1)).toList())
					+ ") returning " + returns;
		}
	}

	private static final List<Member> CALLED = List.of(
			// the correctCurrentVersion start parameter (added in HAPI 8.6)
			new Member("ca.uhn.fhir.jpa.api.dao.ReindexParameters", "setCorrectCurrentVersion", "ReindexParameters",
					"ca.uhn.fhir.jpa.api.dao.ReindexParameters$CorrectCurrentVersionModeEnum"),
			new Member("ca.uhn.fhir.batch2.model.JobInstanceStartRequest", "setUseCache", "JobInstanceStartRequest", "boolean"),
			new Member("ca.uhn.fhir.util.ParametersUtil", "getNamedParameters", "Multimap",
					"ca.uhn.fhir.context.FhirContext", "org.hl7.fhir.instance.model.api.IBaseResource"),
			new Member("ca.uhn.fhir.rest.api.server.storage.TransactionDetails", "getReverseResolvedId", "IIdType",
					"ca.uhn.fhir.rest.api.server.storage.IResourcePersistentId"));

	private HapiApi() {}

	/** Why the module cannot run on this HAPI; empty on 8.6.0 and 8.8.0. */
	public static Optional<String> failure() {
		List<String> missing = missing();
		if (missing.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of("the server runs HAPI FHIR " + HapiVersion.running() + ", which lacks API the module calls: "
				+ String.join("; ", missing) + " (tested: " + String.join(", ", HapiVersion.TESTED) + "). Use HAPI FHIR "
				+ HapiVersion.TESTED.get(0) + " or later");
	}

	/** The calls the running HAPI cannot answer; empty on 8.6.0 and 8.8.0. */
	public static List<String> missing() {
		List<String> missing = new ArrayList<>();
		for (Member member : CALLED) {
			if (!present(member)) {
				missing.add(member.describe());
			}
		}
		return missing;
	}

	private static boolean present(Member member) {
		try {
			ClassLoader loader = HapiApi.class.getClassLoader();
			Class<?> type = Class.forName(member.className(), false, loader);
			Class<?>[] parameters = new Class<?>[member.parameterTypes().length];
			for (int i = 0; i < parameters.length; i++) {
				String name = member.parameterTypes()[i];
				parameters[i] = name.equals("boolean") ? boolean.class : Class.forName(name, false, loader);
			}
			Method method = type.getMethod(member.method(), parameters);
			return method.getReturnType().getSimpleName().equals(member.returns());
		} catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
			return false;
		}
	}
}
