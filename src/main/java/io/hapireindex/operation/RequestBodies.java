package io.hapireindex.operation;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where request bodies become {@link GivenParameter}s and where their names, cardinality and
 * resource ids are checked, for {@code $reindex}, {@code $terminology-reindex} and the admin page alike. Works on
 * every FHIR version: the {@code Parameters} body is read through HAPI's element definitions, not a model class.
 */
public final class RequestBodies {

	/** Where HAPI leaves the parsed body of an operation POST (OperationParameter.REQUEST_CONTENTS_USERDATA_KEY). */
	static final String PARSED_BODY_KEY = OperationParam.class.getName() + "_PARSED_RESOURCE";

	/** {@code Type/id}: a resource type, then a FHIR id. */
	private static final Pattern RESOURCE_ID = Pattern.compile("^([A-Z][A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})$");

	private RequestBodies() {}

	/** The operation's body as HAPI parsed it, in the server's FHIR version; empty when there was none. */
	static List<GivenParameter> operationBody(RequestDetails request, String operation) {
		IBaseResource parsed = (IBaseResource) request.getUserData().get(PARSED_BODY_KEY);
		if (parsed == null) {
			return List.of();
		}
		if (!(parsed instanceof IBaseParameters parameters)) {
			throw new InvalidRequestException(
					"The body of " + operation + " must be a Parameters resource, not " + parsed.fhirType());
		}
		return fromParameters(request.getFhirContext(), parameters);
	}

	/** Every {@code parameter} of a Parameters resource of any FHIR version, in order. */
	public static List<GivenParameter> fromParameters(FhirContext ctx, IBaseParameters body) {
		BaseRuntimeChildDefinition parameterChild = ctx.getResourceDefinition(body).getChildByName("parameter");
		BaseRuntimeElementCompositeDefinition<?> parameterDef =
				(BaseRuntimeElementCompositeDefinition<?>) parameterChild.getChildByName("parameter");
		BaseRuntimeChildDefinition nameChild = parameterDef.getChildByName("name");
		BaseRuntimeChildDefinition valueChild = parameterDef.getChildByName("value[x]");
		List<GivenParameter> given = new ArrayList<>();
		for (IBase parameter : parameterChild.getAccessor().getValues(body)) {
			String name = nameChild.getAccessor().getFirstValueOrNull(parameter)
					.map(n -> ((IPrimitiveType<?>) n).getValueAsString())
					.orElse(null);
			String value = valueChild.getAccessor().getFirstValueOrNull(parameter)
					.filter(v -> v instanceof IPrimitiveType<?>)
					.map(v -> ((IPrimitiveType<?>) v).getValueAsString())
					.orElse(null);
			given.add(new GivenParameter(name, value));
		}
		return given;
	}

	/** The admin page's start form: each field a parameter, a list for repeated ones; empty fields left out. */
	public static List<GivenParameter> fromForm(Map<String, Object> form) {
		List<GivenParameter> given = new ArrayList<>();
		form.forEach((name, value) -> {
			List<?> values = value instanceof List<?> list ? list : Collections.singletonList(value);
			for (Object v : values) {
				if (v != null && !String.valueOf(v).isBlank()) {
					given.add(new GivenParameter(name, String.valueOf(v)));
				}
			}
		});
		return given;
	}

	/**
	 * Names, cardinality and value presence; values come back in request order.
	 *
	 * @param valueHint what a value must look like, for the 400 of a parameter without one
	 */
	static Map<String, List<String>> collect(
			List<GivenParameter> body, List<String> allowed, Collection<String> repeatable, String valueHint) {
		Map<String, List<String>> given = new LinkedHashMap<>();
		for (GivenParameter p : body) {
			String name = p.name();
			if (name == null || !allowed.contains(name)) {
				throw new InvalidStartParameterException(
						String.valueOf(name), "unknown parameter. Allowed: " + String.join(", ", allowed));
			}
			if (p.value() == null) {
				throw new InvalidStartParameterException(name, "needs a non-empty " + valueHint);
			}
			List<String> values = given.computeIfAbsent(name, k -> new ArrayList<>());
			if (!values.isEmpty() && !repeatable.contains(name)) {
				throw new InvalidStartParameterException(name, "may be given at most once");
			}
			values.add(p.value());
		}
		return given;
	}

	/** The resource type of a {@code Type/id}, or a 400 naming {@code parameter}. */
	static String resourceIdType(String parameter, String id) {
		Matcher m = RESOURCE_ID.matcher(id);
		if (!m.matches()) {
			throw new InvalidStartParameterException(parameter, "'" + id + "' is not of the form Type/id");
		}
		return m.group(1);
	}
}
