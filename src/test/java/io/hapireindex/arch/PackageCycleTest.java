package io.hapireindex.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The feature packages under {@code io.hapireindex} use each other in one direction only (docs/architecture.md draws
 * it). Read from the sources, not the classes, so a cycle shows up in the fast unit run before anything is built
 * around it.
 */
class PackageCycleTest {

	private static final Path MAIN = Path.of("src/main/java/io/hapireindex");
	private static final Pattern USE = Pattern.compile("\\bio\\.hapireindex\\.([a-z][a-z0-9_]*)\\.[A-Za-z*]");

	@Test
	void noFeaturePackageDependsOnItselfThroughOthers() throws IOException {
		Map<String, Set<String>> uses = packageUses();
		assertThat(uses).containsKeys("job", "status", "config", "hapi");

		List<String> cycles = new ArrayList<>();
		for (String start : uses.keySet()) {
			List<String> path = cycleFrom(start, uses);
			if (path != null) {
				cycles.add(String.join(" -> ", path));
			}
		}
		assertThat(cycles).as("package cycles among io.hapireindex.* (main sources)").isEmpty();
	}

	@Test
	void theAdapterUsesNoFeaturePackage() throws IOException {
		assertThat(packageUses().get("hapi")).isEmpty();
	}

	/** For each top-level package, the other top-level packages its main sources name. */
	private static Map<String, Set<String>> packageUses() throws IOException {
		Map<String, Set<String>> uses = new TreeMap<>();
		try (Stream<Path> files = Files.walk(MAIN)) {
			files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
				Path relative = MAIN.relativize(f);
				if (relative.getNameCount() < 2) {
					return;
				}
				String own = relative.getName(0).toString();
				Set<String> used = uses.computeIfAbsent(own, k -> new TreeSet<>());
				Matcher m = USE.matcher(withoutPackageLine(read(f)));
				while (m.find()) {
					if (!m.group(1).equals(own)) {
						used.add(m.group(1));
					}
				}
			});
		}
		return uses;
	}

	/** A path from {@code start} back to itself, or null. */
	private static List<String> cycleFrom(String start, Map<String, Set<String>> uses) {
		return search(start, start, uses, new ArrayList<>(List.of(start)), new TreeSet<>());
	}

	private static List<String> search(
			String start, String at, Map<String, Set<String>> uses, List<String> path, Set<String> seen) {
		for (String next : uses.getOrDefault(at, Set.of())) {
			if (next.equals(start)) {
				List<String> cycle = new ArrayList<>(path);
				cycle.add(start);
				return cycle;
			}
			if (seen.add(next)) {
				path.add(next);
				List<String> found = search(start, next, uses, path, seen);
				if (found != null) {
					return found;
				}
				path.remove(path.size() - 1);
			}
		}
		return null;
	}

	private static String withoutPackageLine(String source) {
		return source.replaceFirst("(?m)^package [^;]+;", "");
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
