package io.hapireindex.descriptor;

import ca.uhn.fhir.model.api.IQueryParameterAnd;
import ca.uhn.fhir.model.api.annotation.DatatypeDef;
import ca.uhn.fhir.model.api.annotation.ResourceDef;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import org.hl7.fhir.instance.model.api.IBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hapireindex.config.ReindexAutoConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fails when {@code plugin-descriptor/hapi-fhir-reindex.json} and the code disagree. No Spring context, no
 * server: it reads annotations, the compiled configuration metadata and pom.xml.
 *
 * <p>Level rule (the same as HAPI 8.8.0's {@code OperationMethodBinding}): an {@code @Operation} method is
 * <em>resource-bound</em> when its provider implements {@link IResourceProvider}, or the annotation sets a
 * concrete {@code type} or a {@code typeName}. Not resource-bound: {@code instance} if it has an
 * {@link IdParam} parameter (HAPI requires {@code global = true} then, and binds it for every type:
 * resourceTypes {@code ["*"]}), otherwise {@code server}. Resource-bound: {@code type} without an
 * {@code @IdParam}; {@code instance} with one, plus {@code type} when the {@code @IdParam} is
 * {@code optional}. HTTP methods: POST, plus GET when {@code idempotent}, plus DELETE when
 * {@code deleteEnabled}. Parameters are the {@code @OperationParam}s (what HAPI puts in the
 * OperationDefinition); {@code MAX_DEFAULT} resolves as HAPI does (collections and and-lists unlimited, else 1).
 * {@code async} and descriptions are not derivable from the annotations and are not compared.
 */
class PluginDescriptorTest {

	private static final String BASE_PACKAGE = "io.hapireindex";
	private static final String METADATA = "META-INF/spring-configuration-metadata.json";
	private static final String AUTOCONFIG_IMPORTS =
			"META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

	private static final ObjectMapper MAPPER = new ObjectMapper();
	private static Path projectDir;
	private static JsonNode descriptor;
	private static JsonNode schema;
	/** Where the module's main classes are (target/classes): test classes and other jars are not the module. */
	private static String moduleLocation;

	@BeforeAll
	static void load() throws IOException {
		projectDir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
		descriptor = readJson(projectDir.resolve("plugin-descriptor/hapi-fhir-reindex.json"));
		schema = readJson(projectDir.resolve("plugin-descriptor/hapi-fhir-reindex.schema.json"));
		moduleLocation = ReindexAutoConfiguration.class
				.getProtectionDomain()
				.getCodeSource()
				.getLocation()
				.toExternalForm();
	}

	// ---------------------------------------------------------------- operations

	@Test
	void operationsMatchTheOperationMethodsOfTheModule() {
		List<Class<?>> providers = findOperationProviderClasses();
		assertThat(providers)
				.as("no class with @Operation methods found under %s in %s", BASE_PACKAGE, moduleLocation)
				.isNotEmpty();

		Map<String, OperationRow> code = new TreeMap<>();
		for (Class<?> provider : providers) {
			for (OperationRow row : operationRows(provider)) {
				code.merge(row.key(), row, OperationRow::mergeSameKey);
			}
		}
		Map<String, OperationRow> declared = descriptorOperationRows();

		List<String> problems = new ArrayList<>();
		for (String key : code.keySet()) {
			if (!declared.containsKey(key)) {
				problems.add("operation " + key + " (" + code.get(key).provider
						+ ") is in the code but missing from the descriptor");
			}
		}
		for (String key : declared.keySet()) {
			if (!code.containsKey(key)) {
				problems.add("operation " + key + " is in the descriptor but no @Operation method under "
						+ BASE_PACKAGE + " provides it");
			}
		}
		for (String key : code.keySet()) {
			OperationRow c = code.get(key);
			OperationRow d = declared.get(key);
			if (d == null) {
				continue;
			}
			if (!c.methods.equals(d.methods)) {
				problems.add("operation " + key + ": methods in code " + c.methods + ", in descriptor " + d.methods);
			}
			if (!Objects.equals(c.provider, d.provider)) {
				problems.add("operation " + key + ": provider in code " + c.provider + ", in descriptor " + d.provider);
			}
			if (c.resourceTypes == null) {
				// IResourceProvider: the type is only known at runtime. The descriptor names the concrete types,
				// or ["*"] when the module registers one provider instance per resource type the server stores.
				if (d.resourceTypes == null || d.resourceTypes.isEmpty()) {
					problems.add("operation " + key + ": bound by an IResourceProvider, so the descriptor must list its"
							+ " resourceTypes (concrete types, or [\"*\"] for one provider per stored type), has "
							+ d.resourceTypes);
				}
			} else if (!c.resourceTypes.equals(d.resourceTypes)) {
				problems.add("operation " + key + ": resourceTypes in code " + c.resourceTypes + ", in descriptor "
						+ d.resourceTypes);
			}
			for (String name : c.parameters.keySet()) {
				if (!d.parameters.containsKey(name)) {
					problems.add("operation " + key + ": parameter '" + name + "' " + c.parameters.get(name)
							+ " is in the code but missing from the descriptor");
				} else if (!c.parameters.get(name).matches(d.parameters.get(name))) {
					problems.add("operation " + key + ": parameter '" + name + "' is " + c.parameters.get(name)
							+ " in the code but " + d.parameters.get(name) + " in the descriptor");
				}
			}
			for (String name : d.parameters.keySet()) {
				if (!c.parameters.containsKey(name)) {
					problems.add("operation " + key + ": parameter '" + name + "' is in the descriptor but not an"
							+ " @OperationParam of " + c.provider);
				}
			}
		}
		problems.addAll(codeProblems);
		assertThat(problems).as("descriptor operations vs code").isEmpty();
	}

	@Test
	void scannerSeesTheKnownProviderAndDerivesHapisLevels() throws ClassNotFoundException {
		// Guards the scanner and the level rule themselves, so an empty scan cannot pass silently.
		assertThat(findOperationProviderClasses())
				.contains(Class.forName("io.hapireindex.operation.InstanceReindexOperationProvider"));
		Map<String, OperationRow> hapiServer =
				rowsByKey(Class.forName("ca.uhn.fhir.batch2.jobs.bulkmodify.reindex.ReindexProvider"));
		assertThat(hapiServer).containsKey("$reindex@server");
		assertThat(hapiServer.get("$reindex@server").parameters).containsKey("url");
		assertThat(hapiServer.get("$reindex@server").parameters.get("url").max).isEqualTo("*");
		assertThat(rowsByKey(Class.forName("ca.uhn.fhir.jpa.provider.InstanceReindexProvider")))
				.containsKeys("$reindex@instance", "$reindex-dryrun@instance");
	}

	@Test
	void replacedHapiBindingsExistInHapiAndReplacementsMatchTheModule() {
		Map<String, OperationRow> module = descriptorOperationRows();
		List<String> problems = new ArrayList<>();
		JsonNode bindings = descriptor.path("replacesHapiBindings").path("bindings");
		assertThat(bindings.size()).as("replacesHapiBindings.bindings").isPositive();
		for (JsonNode binding : bindings) {
			String key = binding.path("operation").asText() + "@" + binding.path("level").asText();
			String provider = binding.path("provider").asText();
			Class<?> hapiClass;
			try {
				hapiClass = Class.forName(provider);
			} catch (ClassNotFoundException e) {
				problems.add("replaced HAPI provider " + provider + " is not on the classpath");
				continue;
			}
			if (!rowsByKey(hapiClass).containsKey(key)) {
				problems.add("HAPI's " + provider + " has no @Operation " + key + " (has " + rowsByKey(hapiClass).keySet()
						+ ")");
			}
			OperationRow replacement = module.get(key);
			JsonNode replacedBy = binding.path("replacedBy");
			if (replacedBy.isNull()) {
				if (replacement != null) {
					problems.add("replaced binding " + key + " has replacedBy null but the module provides " + key
							+ " in " + replacement.provider);
				}
			} else if (replacement == null) {
				problems.add("replaced binding " + key + " names replacedBy " + replacedBy.asText()
						+ " but the descriptor has no module operation " + key);
			} else if (!replacedBy.asText().equals(replacement.provider)) {
				problems.add("replaced binding " + key + " names replacedBy " + replacedBy.asText() + " but "
						+ replacement.provider + " provides it");
			}
		}
		assertThat(problems).as("replacesHapiBindings").isEmpty();
	}

	@Test
	void everyOperationHasAPermissionEntryScopedToItsLevel() {
		Map<String, String> rules = new LinkedHashMap<>();
		for (JsonNode p : descriptor.path("permissions").path("operations")) {
			rules.put(p.path("operation").asText() + "@" + p.path("level").asText(),
					p.path("hapiAuthorizationInterceptorRule").asText());
		}
		assertThat(rules.keySet())
				.as("permissions.operations (operation@level)")
				.containsExactlyInAnyOrderElementsOf(descriptorOperationRows().keySet());
		Map<String, String> scopeCall = Map.of(
				"server", ".onServer()",
				"type", ".onAnyType()",
				"instance", ".onAnyInstance()");
		rules.forEach((key, rule) -> {
			String operation = key.substring(0, key.indexOf('@'));
			String level = key.substring(key.indexOf('@') + 1);
			assertThat(rule)
					.as("AuthorizationInterceptor rule for %s", key)
					.contains(".operation().named(\"" + operation + "\")")
					.contains(scopeCall.get(level));
		});
	}

	// ---------------------------------------------------------------- configuration properties

	@Test
	void configurationPropertiesMatchTheSpringMetadata() throws IOException {
		JsonNode metadata = readJson(moduleResource(METADATA));
		Map<String, JsonNode> code = new TreeMap<>();
		for (JsonNode p : metadata.path("properties")) {
			code.put(p.path("name").asText(), p);
		}
		assertThat(code).as("properties in %s", METADATA).isNotEmpty();
		Map<String, JsonNode> declared = new TreeMap<>();
		for (JsonNode p : descriptor.path("configurationProperties")) {
			declared.put(p.path("key").asText(), p);
		}

		List<String> problems = new ArrayList<>();
		code.keySet().stream()
				.filter(k -> !declared.containsKey(k))
				.forEach(k -> problems.add("property " + k + " is in " + METADATA + " but missing from the descriptor"));
		declared.keySet().stream()
				.filter(k -> !code.containsKey(k))
				.forEach(k -> problems.add("property " + k + " is in the descriptor but not in " + METADATA));
		code.forEach((key, meta) -> {
			JsonNode d = declared.get(key);
			if (d == null) {
				return;
			}
			String type = meta.path("type").asText();
			if (!type.equals(d.path("type").asText())) {
				problems.add("property " + key + ": type " + type + " in the metadata, " + d.path("type").asText()
						+ " in the descriptor");
			}
			JsonNode metaDefault = meta.has("defaultValue") ? meta.get("defaultValue") : NullNode.getInstance();
			JsonNode declaredDefault = d.has("default") ? d.get("default") : NullNode.getInstance();
			if (!metaDefault.equals(declaredDefault)) {
				problems.add("property " + key + ": default " + metaDefault + " in the metadata, " + declaredDefault
						+ " in the descriptor");
			}
		});
		assertThat(problems).as("descriptor configurationProperties vs " + METADATA).isEmpty();
	}

	// ---------------------------------------------------------------- entry points

	@Test
	void entryPointsExistAndAreWired() throws Exception {
		String autoName = descriptor.path("entryPoints").path("autoConfiguration").asText();
		String plainName = descriptor.path("entryPoints").path("springConfiguration").asText();
		Class<?> auto = Class.forName(autoName);
		Class<?> plain = Class.forName(plainName);

		assertThat(AnnotatedElementUtils.hasAnnotation(auto, AutoConfiguration.class))
				.as("%s is an @AutoConfiguration", autoName)
				.isTrue();
		List<String> imports;
		try (InputStream in = moduleResource(AUTOCONFIG_IMPORTS).openStream()) {
			imports = new String(in.readAllBytes(), StandardCharsets.UTF_8)
					.lines()
					.map(l -> l.replaceFirst("#.*", "").trim())
					.filter(l -> !l.isEmpty())
					.toList();
		}
		assertThat(imports).as("the module's %s", AUTOCONFIG_IMPORTS).contains(autoName);

		assertThat(AnnotatedElementUtils.hasAnnotation(plain, Configuration.class))
				.as("%s is a @Configuration", plainName)
				.isTrue();
		Import imported = AnnotatedElementUtils.findMergedAnnotation(auto, Import.class);
		assertThat(imported == null ? List.of() : List.of(imported.value()))
				.as("%s @Imports %s", autoName, plainName)
				.contains(plain);
	}

	// ---------------------------------------------------------------- coordinates and install

	@Test
	void coordinatesAndInstallSnippetsMatchThePom() throws Exception {
		Document pom = DocumentBuilderFactory.newInstance()
				.newDocumentBuilder()
				.parse(projectDir.resolve("pom.xml").toFile());
		Element project = pom.getDocumentElement();
		String version = childText(project, "version");
		if (version == null) {
			version = childText(childElement(project, "parent"), "version");
		}
		String groupId = childText(project, "groupId");
		String artifactId = childText(project, "artifactId");

		assertThat(descriptor.path("version").asText()).as("descriptor version vs pom.xml").isEqualTo(version);
		assertThat(descriptor.path("groupId").asText()).as("descriptor groupId vs pom.xml").isEqualTo(groupId);
		assertThat(descriptor.path("artifactId").asText()).as("descriptor artifactId vs pom.xml").isEqualTo(artifactId);
		String hapiVersion = childText(childElement(project, "properties"), "hapi.version");
		assertThat(descriptor.path("hapiFhirVersions").toString())
				.as("hapiFhirVersions contains pom.xml's hapi.version")
				.contains("\"" + hapiVersion + "\"");
		String release = childText(childElement(project, "properties"), "maven.compiler.release");
		assertThat(descriptor.path("java").asText()).as("java vs maven.compiler.release").isEqualTo(release);

		Set<String> methods = new TreeSet<>();
		Pattern jarName = Pattern.compile(Pattern.quote(artifactId) + "-([0-9][A-Za-z0-9.-]*?)\\.jar");
		for (JsonNode install : descriptor.path("install")) {
			methods.add(install.path("method").asText());
			String snippet = install.path("snippet").asText();
			Matcher m = jarName.matcher(snippet);
			while (m.find()) {
				assertThat(m.group(1)).as("jar version in install snippet %s", install.path("method")).isEqualTo(version);
			}
			if (install.path("method").asText().equals("maven-dependency")) {
				assertThat(snippet)
						.contains("<groupId>" + groupId + "</groupId>")
						.contains("<artifactId>" + artifactId + "</artifactId>")
						.contains("<version>" + version + "</version>");
			}
		}
		assertThat(methods).containsExactly("loader-path", "maven-dependency", "war-web-inf-lib");
	}

	// ---------------------------------------------------------------- schema

	@Test
	void descriptorValidatesAgainstItsSchema() {
		List<String> errors = new ArrayList<>();
		validate(schema, descriptor, "$", errors);
		assertThat(errors).as("descriptor vs plugin-descriptor/hapi-fhir-reindex.schema.json").isEmpty();
	}

	@Test
	void schemaCheckRejectsBrokenDescriptors() {
		// The hand-written validator below must actually reject things, or the schema test proves nothing.
		ObjectNode noVersion = descriptor.deepCopy();
		noVersion.remove("version");
		assertThat(errorsFor(noVersion)).anyMatch(e -> e.contains("'version'"));

		ObjectNode badMax = descriptor.deepCopy();
		ObjectNode param = MAPPER.createObjectNode()
				.put("name", "x").put("type", "string").put("min", 0).put("max", "many").put("description", "d");
		((ObjectNode) badMax.path("operations").get(0)).withArray("parameters").add(param);
		assertThat(errorsFor(badMax)).anyMatch(e -> e.contains("max"));

		ObjectNode badLevel = descriptor.deepCopy();
		((ObjectNode) badLevel.path("operations").get(0)).putArray("level").add("everywhere");
		assertThat(errorsFor(badLevel)).anyMatch(e -> e.contains("level"));

		ObjectNode extra = descriptor.deepCopy();
		extra.put("unexpected", true);
		assertThat(errorsFor(extra)).anyMatch(e -> e.contains("unexpected"));
	}

	private static List<String> errorsFor(JsonNode instance) {
		List<String> errors = new ArrayList<>();
		validate(schema, instance, "$", errors);
		return errors;
	}

	/**
	 * A small JSON Schema validator for the keywords the descriptor's schema uses (no validator library is on
	 * the classpath and the pom must not grow). A keyword it does not know fails the test instead of being
	 * ignored.
	 */
	private static void validate(JsonNode s, JsonNode value, String at, List<String> errors) {
		if (s.isBoolean()) {
			if (!s.asBoolean()) {
				errors.add(at + ": not allowed");
			}
			return;
		}
		Iterator<String> keywords = s.fieldNames();
		while (keywords.hasNext()) {
			String k = keywords.next();
			JsonNode arg = s.get(k);
			switch (k) {
				case "$schema", "$id", "title", "description", "$defs", "default", "examples" -> {}
				case "$ref" -> {
					String ref = arg.asText();
					assertThat(ref).as("only local $refs are supported").startsWith("#/");
					validate(schema.at(ref.substring(1)), value, at, errors);
				}
				case "type" -> {
					List<String> types = new ArrayList<>();
					if (arg.isArray()) {
						arg.forEach(t -> types.add(t.asText()));
					} else {
						types.add(arg.asText());
					}
					if (types.stream().noneMatch(t -> hasType(value, t))) {
						errors.add(at + ": expected " + types + ", got " + value.getNodeType());
					}
				}
				case "required" -> {
					if (value.isObject()) {
						arg.forEach(r -> {
							if (!value.has(r.asText())) {
								errors.add(at + ": required property '" + r.asText() + "' is missing");
							}
						});
					}
				}
				case "properties" -> {
					if (value.isObject()) {
						arg.fields().forEachRemaining(p -> {
							if (value.has(p.getKey())) {
								validate(p.getValue(), value.get(p.getKey()), at + "." + p.getKey(), errors);
							}
						});
					}
				}
				case "additionalProperties" -> {
					if (value.isObject()) {
						JsonNode known = s.path("properties");
						value.fields().forEachRemaining(f -> {
							if (!known.has(f.getKey())) {
								if (arg.isBoolean() && !arg.asBoolean()) {
									errors.add(at + ": property '" + f.getKey() + "' is not allowed");
								} else {
									validate(arg, f.getValue(), at + "." + f.getKey(), errors);
								}
							}
						});
					}
				}
				case "items" -> {
					if (value.isArray()) {
						for (int i = 0; i < value.size(); i++) {
							validate(arg, value.get(i), at + "[" + i + "]", errors);
						}
					}
				}
				case "minItems" -> {
					if (value.isArray() && value.size() < arg.asInt()) {
						errors.add(at + ": fewer than " + arg.asInt() + " items");
					}
				}
				case "uniqueItems" -> {
					if (value.isArray() && arg.asBoolean()) {
						Set<JsonNode> seen = new LinkedHashSet<>();
						value.forEach(v -> {
							if (!seen.add(v)) {
								errors.add(at + ": duplicate item " + v);
							}
						});
					}
				}
				case "enum" -> {
					boolean found = false;
					for (JsonNode option : arg) {
						found |= option.equals(value);
					}
					if (!found) {
						errors.add(at + ": " + value + " is not one of " + arg);
					}
				}
				case "const" -> {
					if (!arg.equals(value)) {
						errors.add(at + ": " + value + " is not " + arg);
					}
				}
				case "pattern" -> {
					if (value.isTextual() && !Pattern.compile(arg.asText()).matcher(value.asText()).find()) {
						errors.add(at + ": '" + value.asText() + "' does not match " + arg.asText());
					}
				}
				case "minLength" -> {
					if (value.isTextual() && value.asText().codePointCount(0, value.asText().length()) < arg.asInt()) {
						errors.add(at + ": shorter than " + arg.asInt());
					}
				}
				case "minimum" -> {
					if (value.isNumber() && value.asDouble() < arg.asDouble()) {
						errors.add(at + ": " + value + " is below " + arg);
					}
				}
				case "anyOf" -> {
					boolean any = false;
					List<String> all = new ArrayList<>();
					for (JsonNode option : arg) {
						List<String> e = new ArrayList<>();
						validate(option, value, at, e);
						any |= e.isEmpty();
						all.addAll(e);
					}
					if (!any) {
						errors.add(at + ": matches none of anyOf " + all);
					}
				}
				default -> fail("schema keyword '" + k + "' at " + at + " is not supported by this test's validator");
			}
		}
	}

	private static boolean hasType(JsonNode v, String type) {
		return switch (type) {
			case "object" -> v.isObject();
			case "array" -> v.isArray();
			case "string" -> v.isTextual();
			case "integer" -> v.isIntegralNumber();
			case "number" -> v.isNumber();
			case "boolean" -> v.isBoolean();
			case "null" -> v.isNull();
			default -> throw new IllegalArgumentException("unknown JSON Schema type " + type);
		};
	}

	// ---------------------------------------------------------------- code side of operations

	/** Problems found while reading the code (e.g. an undeterminable parameter type), reported with the diff. */
	private final List<String> codeProblems = new ArrayList<>();

	/** Every class of the module (not tests, not other jars) under io.hapireindex that declares @Operation methods. */
	private static List<Class<?>> findOperationProviderClasses() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
			@Override
			protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
				return definition.getMetadata().isIndependent(); // abstract bases count: HAPI binds inherited methods
			}
		};
		// HAPI binds inherited @Operation methods too (a type-bound subclass of a server-level provider)
		scanner.addIncludeFilter((reader, factory) -> declaresOperationInHierarchy(reader.getClassMetadata().getClassName()));
		List<Class<?>> result = new ArrayList<>();
		scanner.findCandidateComponents(BASE_PACKAGE).forEach(bd -> {
			try {
				Class<?> c = Class.forName(bd.getBeanClassName());
				if (c.getProtectionDomain().getCodeSource().getLocation().toExternalForm().equals(moduleLocation)) {
					result.add(c);
				}
			} catch (ClassNotFoundException e) {
				throw new IllegalStateException(e);
			}
		});
		return result;
	}

	private Map<String, OperationRow> rowsByKey(Class<?> provider) {
		Map<String, OperationRow> rows = new TreeMap<>();
		operationRows(provider).forEach(r -> rows.merge(r.key(), r, OperationRow::mergeSameKey));
		return rows;
	}

	private static boolean declaresOperationInHierarchy(String className) {
		try {
			for (Class<?> c = Class.forName(className); c != null && c != Object.class; c = c.getSuperclass()) {
				for (Method method : c.getDeclaredMethods()) {
					if (method.isAnnotationPresent(Operation.class)) {
						return true;
					}
				}
			}
			return false;
		} catch (ClassNotFoundException | LinkageError e) {
			return false;
		}
	}

	/** One row per (operation, level) of one provider class, derived as HAPI 8.8.0 binds it. */
	private List<OperationRow> operationRows(Class<?> provider) {
		List<OperationRow> rows = new ArrayList<>();
		if (Modifier.isAbstract(provider.getModifiers())) {
			return rows; // its methods are read through the concrete subclasses
		}
		for (Class<?> c = provider; c != null && c != Object.class; c = c.getSuperclass()) {
			for (Method method : c.getDeclaredMethods()) {
				Operation op = method.getAnnotation(Operation.class);
				if (op == null || method.isBridge() || method.isSynthetic()) {
					continue;
				}
				String name = op.name().startsWith("$") ? op.name() : "$" + op.name();
				String resourceName = null;
				boolean resourceBound = IResourceProvider.class.isAssignableFrom(provider);
				if (!resourceBound && !Modifier.isAbstract(op.type().getModifiers())) {
					resourceName = fhirName(op.type());
					resourceBound = true;
				} else if (!resourceBound && !op.typeName().isBlank()) {
					resourceName = op.typeName();
					resourceBound = true;
				}
				IdParam idParam = null;
				for (Parameter p : method.getParameters()) {
					if (p.isAnnotationPresent(IdParam.class)) {
						idParam = p.getAnnotation(IdParam.class);
					}
				}
				Set<String> levels = new TreeSet<>();
				List<String> resourceTypes;
				if (!resourceBound) {
					levels.add(idParam != null ? "instance" : "server");
					// server level: no type; a global instance method: every type
					resourceTypes = idParam != null && op.global() ? List.of("*") : List.of();
				} else {
					if (idParam == null) {
						levels.add("type");
					} else {
						levels.add("instance");
						if (idParam.optional()) {
							levels.add("type");
						}
					}
					resourceTypes = resourceName == null ? null : List.of(resourceName);
				}
				Set<String> methods = new TreeSet<>(Set.of("POST"));
				if (op.idempotent()) {
					methods.add("GET");
				}
				if (op.deleteEnabled()) {
					methods.add("DELETE");
				}
				Map<String, ParamSpec> params = new TreeMap<>();
				for (Parameter p : method.getParameters()) {
					OperationParam param = p.getAnnotation(OperationParam.class);
					if (param != null) {
						params.put(param.name(), paramSpec(provider, method, p, param));
					}
				}
				String where = provider.getName() + "#" + method.getName();
				for (String level : levels) {
					rows.add(new OperationRow(name, level, methods, params, provider.getName(), resourceTypes, where));
				}
			}
		}
		return rows;
	}

	private ParamSpec paramSpec(Class<?> provider, Method method, Parameter p, OperationParam param) {
		boolean collection = Collection.class.isAssignableFrom(p.getType());
		String max;
		if (param.max() == OperationParam.MAX_UNLIMITED) {
			max = "*";
		} else if (param.max() == OperationParam.MAX_DEFAULT) {
			max = collection || IQueryParameterAnd.class.isAssignableFrom(p.getType()) ? "*" : "1";
		} else {
			max = String.valueOf(param.max());
		}
		String type = null;
		if (!param.typeName().isBlank()) {
			type = param.typeName();
		} else if (!param.type().isInterface() && !Modifier.isAbstract(param.type().getModifiers())) {
			type = fhirName(param.type());
		} else {
			Class<?> element = collection ? elementClass(p.getParameterizedType()) : p.getType();
			type = element == null ? null : fhirName(element);
		}
		Class<?> declaredElement = collection ? elementClass(p.getParameterizedType()) : p.getType();
		if (type == null && !IBase.class.equals(declaredElement)) {
			// IBase is deliberate (the module parses the value itself); anything else unreadable is a mistake
			codeProblems.add(provider.getName() + "#" + method.getName() + " parameter '" + param.name()
					+ "': the FHIR type cannot be read from the code; set @OperationParam(typeName = ...)");
		}
		return new ParamSpec(param.min(), max, type);
	}

	private static Class<?> elementClass(Type type) {
		if (type instanceof ParameterizedType pt && pt.getActualTypeArguments().length == 1) {
			Type arg = pt.getActualTypeArguments()[0];
			if (arg instanceof WildcardType w && w.getUpperBounds().length == 1) {
				arg = w.getUpperBounds()[0];
			}
			if (arg instanceof ParameterizedType inner) {
				arg = inner.getRawType();
			}
			return arg instanceof Class<?> c ? c : null;
		}
		return null;
	}

	/** The FHIR name of a model class (from @ResourceDef / @DatatypeDef), null when it has none. */
	private static String fhirName(Class<?> type) {
		if (String.class.equals(type)) {
			return "string";
		}
		ResourceDef resource = type.getAnnotation(ResourceDef.class);
		if (resource != null && !resource.name().isBlank()) {
			return resource.name();
		}
		DatatypeDef datatype = type.getAnnotation(DatatypeDef.class);
		if (datatype != null && !datatype.name().isBlank()) {
			return datatype.name();
		}
		return null;
	}

	// ---------------------------------------------------------------- descriptor side of operations

	private static Map<String, OperationRow> descriptorOperationRows() {
		Map<String, OperationRow> rows = new TreeMap<>();
		for (JsonNode op : descriptor.path("operations")) {
			Set<String> methods = new TreeSet<>();
			op.path("methods").forEach(m -> methods.add(m.asText()));
			Map<String, ParamSpec> params = new TreeMap<>();
			for (JsonNode p : op.path("parameters")) {
				JsonNode max = p.path("max");
				params.put(p.path("name").asText(), new ParamSpec(
						p.path("min").asInt(), max.isTextual() ? max.asText() : String.valueOf(max.asInt()),
						p.path("type").asText(null)));
			}
			List<String> resourceTypes = null;
			if (op.has("resourceTypes")) {
				resourceTypes = new ArrayList<>();
				for (JsonNode t : op.path("resourceTypes")) {
					resourceTypes.add(t.asText());
				}
				Collections.sort(resourceTypes);
			}
			for (JsonNode level : op.path("level")) {
				OperationRow row = new OperationRow(op.path("name").asText(), level.asText(), methods, params,
						op.path("provider").asText(null), resourceTypes, "descriptor");
				if (rows.putIfAbsent(row.key(), row) != null) {
					fail("the descriptor lists operation " + row.key() + " twice");
				}
			}
		}
		return rows;
	}

	// ---------------------------------------------------------------- helpers

	record ParamSpec(int min, String max, String type) {
		/**
		 * Same cardinality, and the same FHIR type where the code declares one. Parameters the module reads
		 * itself are declared untyped ({@code IBase}) in code; the descriptor must still give their type.
		 */
		boolean matches(ParamSpec declared) {
			return min == declared.min && max.equals(declared.max)
					&& (type == null ? declared.type != null : type.equals(declared.type));
		}

		@Override
		public String toString() {
			return type + " " + min + ".." + max;
		}
	}

	record OperationRow(
			String name,
			String level,
			Set<String> methods,
			Map<String, ParamSpec> parameters,
			String provider,
			List<String> resourceTypes,
			String where) {

		String key() {
			return name + "@" + level;
		}

		/** Two bindings of the same operation at the same level (e.g. per-type resource providers). */
		static OperationRow mergeSameKey(OperationRow a, OperationRow b) {
			assertThat(b.parameters)
					.as("%s: %s and %s bind it with different parameters", a.key(), a.where, b.where)
					.isEqualTo(a.parameters);
			assertThat(b.methods)
					.as("%s: %s and %s bind it with different HTTP methods", a.key(), a.where, b.where)
					.isEqualTo(a.methods);
			List<String> types = null;
			if (a.resourceTypes != null && b.resourceTypes != null) {
				Set<String> union = new TreeSet<>(a.resourceTypes);
				union.addAll(b.resourceTypes);
				types = List.copyOf(union);
			}
			String provider = a.provider.equals(b.provider) ? a.provider : a.provider + "," + b.provider;
			return new OperationRow(a.name, a.level, a.methods, a.parameters, provider, types, a.where + ", " + b.where);
		}
	}

	private static JsonNode readJson(Path path) throws IOException {
		assertThat(path).as("file %s", path).exists();
		return MAPPER.readTree(Files.readString(path));
	}

	private static JsonNode readJson(URL url) throws IOException {
		try (InputStream in = url.openStream()) {
			return MAPPER.readTree(in);
		}
	}

	/** The copy of a classpath resource that belongs to the module (other jars ship files of the same name). */
	private static URL moduleResource(String name) throws IOException {
		List<URL> all = Collections.list(PluginDescriptorTest.class.getClassLoader().getResources(name));
		return all.stream()
				.filter(u -> u.toExternalForm().startsWith(moduleLocation))
				.findFirst()
				.orElseThrow(() -> new AssertionError(name + " not found under " + moduleLocation
						+ " (found only " + all + "); compile the module first"));
	}

	private static Element childElement(Element parent, String name) {
		if (parent == null) {
			return null;
		}
		for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
			if (n instanceof Element e && name.equals(e.getTagName())) {
				return e;
			}
		}
		return null;
	}

	private static String childText(Element parent, String name) {
		Element e = childElement(parent, name);
		return e == null ? null : e.getTextContent().trim();
	}
}
