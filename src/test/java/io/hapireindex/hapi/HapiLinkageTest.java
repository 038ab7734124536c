package io.hapireindex.hapi;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every class, method and field of HAPI that the module's compiled classes call exists in the HAPI on the test
 * classpath. The jar is compiled against one HAPI version; run with {@code -Dhapi.version=...} (see the
 * {@code hapi-compat} profile) this names, without starting a server, each call that would fail with a
 * {@code NoSuchMethodError} or {@code NoClassDefFoundError} in a host on that version.
 */
class HapiLinkageTest {

	/** Referenced only after the adapter checked that the running HAPI has them (per-version strategies). */
	private static final Set<String> VERSION_GUARDED_CLASSES = Set.of("io.hapireindex.hapi.SearchParamExtraction$ViaInterface");

	private static final Pattern THIS_CLASS = Pattern.compile("this_class: #\\d+ +// (\\S+)");

	/** A constant pool entry naming HAPI: also those only method references (invokedynamic) use. */
	private static final Pattern REFERENCE = Pattern.compile(
			"= (Methodref|InterfaceMethodref|Fieldref|Class) +[#\\d.]+ +// (ca/uhn/[\\w/$]+)(?:\\.(\"?[\\w<>$]+\"?):(\\S+))?");

	@Test
	void everyHapiMemberTheModuleCallsExists() throws IOException, URISyntaxException {
		Path classes = Path.of(HapiVersion.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		List<String> files;
		try (Stream<Path> walk = Files.walk(classes)) {
			files = walk.filter(p -> p.toString().endsWith(".class")).map(Path::toString).toList();
		}
		// one javap run for all classes: a run per class costs a JVM tool start each
		StringWriter out = new StringWriter();
		List<String> args = new ArrayList<>(List.of("-v", "-p"));
		args.addAll(files);
		ToolProvider.findFirst("javap").orElseThrow()
				.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args.toArray(String[]::new));
		Set<String> missing = new TreeSet<>();
		for (String text : out.toString().split("(?m)^(?=Classfile )")) {
			Matcher self = THIS_CLASS.matcher(text);
			if (!self.find() || VERSION_GUARDED_CLASSES.contains(self.group(1).replace('/', '.'))) {
				continue;
			}
			String file = text.lines().findFirst().orElse("").replaceFirst("^Classfile ", "");
			Matcher m = REFERENCE.matcher(text);
			while (m.find()) {
				String problem = check(m.group(1), m.group(2).replace('/', '.'), m.group(3), m.group(4));
				if (problem != null) {
					missing.add(problem + "  (from " + file.replace(classes + "/", "") + ")");
				}
			}
		}
		assertThat(missing)
				.as("HAPI " + HapiVersion.running() + " lacks what the module calls (the module was compiled against another"
						+ " HAPI version; handle the difference in io.hapireindex.hapi)")
				.isEmpty();
	}

	private static String check(String kind, String className, String name, String descriptor) {
		Class<?> type;
		try {
			type = Class.forName(className, false, HapiLinkageTest.class.getClassLoader());
		} catch (ClassNotFoundException | LinkageError e) {
			return "class " + className;
		}
		if (name == null || kind.equals("Class")) {
			return null;
		}
		String member = name.replace("\"", "");
		if (kind.equals("Fieldref")) {
			return hasField(type, member) ? null : "field " + className + "." + member;
		}
		return hasMethod(type, member, descriptor) ? null : "method " + className + "." + member + descriptor;
	}

	private static boolean hasField(Class<?> type, String name) {
		for (Class<?> k : hierarchy(type)) {
			for (Field f : k.getDeclaredFields()) {
				if (f.getName().equals(name)) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean hasMethod(Class<?> type, String name, String descriptor) {
		if (name.equals("<init>")) {
			for (Constructor<?> c : type.getDeclaredConstructors()) {
				if (descriptor(c.getParameterTypes(), void.class).equals(descriptor)) {
					return true;
				}
			}
			return false;
		}
		for (Class<?> k : hierarchy(type)) {
			for (Method m : k.getDeclaredMethods()) {
				if (m.getName().equals(name) && descriptor(m.getParameterTypes(), m.getReturnType()).equals(descriptor)) {
					return true;
				}
			}
		}
		return false;
	}

	private static List<Class<?>> hierarchy(Class<?> type) {
		List<Class<?>> all = new ArrayList<>();
		Deque<Class<?>> todo = new ArrayDeque<>(List.of(type, Object.class));
		Set<Class<?>> seen = new HashSet<>();
		while (!todo.isEmpty()) {
			Class<?> k = todo.poll();
			if (seen.add(k)) {
				all.add(k);
				if (k.getSuperclass() != null) {
					todo.add(k.getSuperclass());
				}
				todo.addAll(List.of(k.getInterfaces()));
			}
		}
		return all;
	}

	private static String descriptor(Class<?>[] parameters, Class<?> returned) {
		StringBuilder d = new StringBuilder("(");
		for (Class<?> p : parameters) {
			d.append(p.descriptorString());
		}
		return d.append(')').append(returned.descriptorString()).toString();
	}
}
