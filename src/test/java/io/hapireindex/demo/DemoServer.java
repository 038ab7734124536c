package io.hapireindex.demo;

import ca.uhn.fhir.context.FhirVersionEnum;
import io.hapireindex.testhost.TestFhirVersion;
import io.hapireindex.testhost.HapiTestServer;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.Map;

/**
 * {@code mvn -Pdemo}: the test host on H2 at http://localhost:8080/fhir (or {@code -Ddemo.port=NNNN}), loaded
 * with a small clinical sample and one custom SearchParameter created after the data. {@code -Ddemo.fhir-version=R5}
 * (or DSTU3, R4B; default R4) serves another FHIR version with the same sample.
 */
public final class DemoServer {

	private DemoServer() {}

	public static void main(String[] args) {
		String port = System.getProperty("demo.port", "8080");
		String versionName = System.getProperty("demo.fhir-version", "R4");
		FhirVersionEnum version = TestFhirVersion.parse(versionName);
		SpringApplication app = new SpringApplication(HapiTestServer.class);
		app.setDefaultProperties(Map.of(
				"server.port", port,
				"spring.main.banner-mode", "off",
				TestFhirVersion.PROPERTY, version.name()));
		ConfigurableApplicationContext context = app.run(args);
		String base = "http://localhost:" + port + "/fhir";
		DemoData.load(context, base, version);
	}
}
