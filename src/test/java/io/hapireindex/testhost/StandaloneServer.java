package io.hapireindex.testhost;

import org.springframework.boot.SpringApplication;

import java.util.Map;

/**
 * The test host as a process of its own ({@code -Dserver.port}, {@code -Dtest.db}, {@code -Dtest.h2.url} or
 * {@code -Dtest.pg.url}), for tests that kill a server with {@code kill -9} or run two nodes on one database.
 */
public final class StandaloneServer {

	private StandaloneServer() {}

	public static void main(String[] args) {
		SpringApplication app = new SpringApplication(HapiTestServer.class);
		app.setDefaultProperties(Map.of("spring.main.banner-mode", "off"));
		app.run(args);
		System.out.println("STANDALONE SERVER READY");
	}
}
