package io.hapireindex.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Synthea's synthetic patients as FHIR R4 transaction bundles, generated once per (patients, seed) under
 * {@code <out>/synthea/} and reused.
 *
 * <p>Synthea runs in a JVM of its own: it brings HAPI FHIR 6.1 structures, which cannot share a class path with
 * the server's HAPI 8.8. Its class path is resolved by Maven from a small pom of its own (cached in
 * {@code classpath.txt}), so nothing of it reaches the module's build.
 */
public final class SyntheaData {

	/** Synthea's version on Maven Central; part of the data set's identity. */
	public static final String VERSION = "3.3.0";

	private final Path root;

	public SyntheaData(Path out) {
		this.root = out.resolve("synthea").toAbsolutePath();
	}

	/**
	 * The bundles of {@code patients} living patients (and the deceased ones Synthea adds), in the order they
	 * must be loaded: the hospital and practitioner bundles first (the patients' bundles refer to them with
	 * conditional references), then the patients'.
	 */
	public List<Path> bundles(int patients, long seed) throws IOException, InterruptedException {
		Path dir = root.resolve("p" + patients + "-s" + seed);
		Path done = dir.resolve("COMPLETE");
		if (!Files.exists(done)) {
			generate(dir, patients, seed);
			Files.writeString(done, VERSION);
		}
		return loadOrder(dir.resolve("fhir"));
	}

	/** Shared bundles first (hospitals, then practitioners), then the patients' by name. */
	static List<Path> loadOrder(Path fhirDir) throws IOException {
		List<Path> files;
		try (Stream<Path> s = Files.list(fhirDir)) {
			files = new ArrayList<>(s.filter(p -> p.toString().endsWith(".json")).sorted().toList());
		}
		files.sort(Comparator.comparingInt(SyntheaData::rank));
		return files;
	}

	/** Whether a bundle holds the shared organizations, locations or practitioners rather than one patient. */
	static boolean shared(Path bundle) {
		return rank(bundle) < 2;
	}

	private static int rank(Path p) {
		String name = p.getFileName().toString();
		if (name.startsWith("hospitalInformation")) {
			return 0;
		}
		if (name.startsWith("practitionerInformation")) {
			return 1;
		}
		return 2;
	}

	private void generate(Path dir, int patients, long seed) throws IOException, InterruptedException {
		if (Files.exists(dir)) {
			try (Stream<Path> files = Files.walk(dir)) {
				for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.delete(f);
				}
			}
		}
		Files.createDirectories(dir);
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx2g",
				"-cp", classpath(),
				"App",
				"-p", String.valueOf(patients),
				"-s", String.valueOf(seed),
				"-cs", String.valueOf(seed),
				// Synthea's reference and end dates would otherwise be today: the same seed must give the same data
				// every day
				"-r", "20260101",
				"-e", "20260101",
				"--exporter.baseDirectory=" + dir,
				"--exporter.fhir.export=true",
				"--exporter.fhir.transaction_bundle=true",
				"--exporter.hospital.fhir.export=true",
				"--exporter.practitioner.fhir.export=true",
				"--exporter.fhir_stu3.export=false",
				"--exporter.fhir_dstu2.export=false",
				"--exporter.ccda.export=false",
				"--exporter.csv.export=false",
				"--exporter.text.export=false",
				"--exporter.metadata.export=false"));
		System.out.printf("[bench] Synthea %s: generating %d patients (seed %d) into %s%n", VERSION, patients, seed, dir);
		run(command, dir, dir.resolve("synthea.log"), TimeUnit.MINUTES.toMillis(60));
		try (Stream<Path> s = Files.list(dir.resolve("fhir"))) {
			System.out.printf("[bench] Synthea wrote %d bundles%n", s.count());
		}
	}

	/** Synthea's runtime class path, resolved once by Maven from a pom of its own. */
	private String classpath() throws IOException, InterruptedException {
		Path file = root.resolve("classpath.txt");
		if (Files.exists(file)) {
			return Files.readString(file).trim();
		}
		Files.createDirectories(root);
		Path pom = root.resolve("pom.xml");
		Files.writeString(pom, """
				<project xmlns="http://maven.apache.org/POM/4.0.0">
				  <modelVersion>4.0.0</modelVersion>
				  <groupId>io.hapireindex.bench</groupId>
				  <artifactId>synthea-classpath</artifactId>
				  <version>1</version>
				  <packaging>pom</packaging>
				  <dependencies>
				    <dependency>
				      <groupId>org.mitre.synthea</groupId>
				      <artifactId>synthea</artifactId>
				      <version>%s</version>
				    </dependency>
				  </dependencies>
				</project>
				""".formatted(VERSION), StandardCharsets.UTF_8);
		Path partial = root.resolve("classpath.partial");
		run(List.of(maven(), "-B", "-q", "-f", pom.toString(), "dependency:build-classpath",
				"-Dmdep.outputFile=" + partial), root, root.resolve("maven.log"), TimeUnit.MINUTES.toMillis(20));
		Files.move(partial, file);
		return Files.readString(file).trim();
	}

	/** The Maven that runs this benchmark ({@code maven.home} is set by {@code mvn}), else the one on the PATH. */
	private static String maven() {
		String home = System.getProperty("maven.home", System.getenv("MAVEN_HOME"));
		if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
			return Path.of(home, "bin", "mvn").toString();
		}
		return "mvn";
	}

	private static void run(List<String> command, Path dir, Path log, long timeoutMillis)
			throws IOException, InterruptedException {
		Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
				.redirectOutput(log.toFile()).start();
		if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
			p.destroyForcibly();
			throw new IllegalStateException(command.get(0) + " did not finish in time; see " + log);
		}
		if (p.exitValue() != 0) {
			throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(4, command.size())))
					+ "... exited " + p.exitValue() + "; see " + log);
		}
	}
}
