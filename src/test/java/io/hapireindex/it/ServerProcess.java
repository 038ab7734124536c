package io.hapireindex.it;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test host in a JVM of its own ({@code io.hapireindex.testhost.StandaloneServer}), so a test can kill it
 * the hard way ({@code kill -9}) or run two of them on one database as a cluster.
 */
public final class ServerProcess implements AutoCloseable {

	private final String name;
	private final int port;
	private final Process process;
	private final Path log;

	private ServerProcess(String name, int port, Process process, Path log) {
		this.name = name;
		this.port = port;
		this.process = process;
		this.log = log;
	}

	/** Starts a node and waits until it answers {@code /fhir/metadata}. */
	public static ServerProcess start(String name, int port, Map<String, String> properties, Path logDir)
			throws IOException {
		Files.createDirectories(logDir);
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx768m");
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add("-Dserver.port=" + port);
		properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
		command.add("io.hapireindex.testhost.StandaloneServer");
		Path log = logDir.resolve(name + ".log");
		Process process = new ProcessBuilder(command)
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
		ServerProcess server = new ServerProcess(name, port, process, log);
		server.awaitUp(Duration.ofMinutes(4));
		return server;
	}

	public String base() {
		return "http://localhost:" + port + "/fhir";
	}

	/** SIGKILL: no shutdown hook, no finally block, no commit runs. */
	public void kill() throws InterruptedException {
		process.destroyForcibly();
		process.waitFor();
	}

	public boolean isAlive() {
		return process.isAlive();
	}

	private void awaitUp(Duration timeout) {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		long deadline = System.currentTimeMillis() + timeout.toMillis();
		while (System.currentTimeMillis() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("server " + name + " exited; see " + log);
			}
			try {
				HttpResponse<Void> r = http.send(
						HttpRequest.newBuilder(URI.create(base() + "/metadata")).GET().build(),
						HttpResponse.BodyHandlers.discarding());
				if (r.statusCode() == 200) {
					return;
				}
			} catch (IOException e) {
				// not listening yet
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
			JobApi.sleep(500);
		}
		throw new IllegalStateException("server " + name + " did not come up within " + timeout + "; see " + log);
	}

	/** A free TCP port for a new node. */
	public static int freePort() throws IOException {
		try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
			return s.getLocalPort();
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (process.isAlive()) {
			process.destroy();
			if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
				kill();
			}
		}
	}

	public File logFile() {
		return log.toFile();
	}
}
