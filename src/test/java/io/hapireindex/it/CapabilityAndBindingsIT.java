package io.hapireindex.it;

import ca.uhn.fhir.batch2.jobs.bulkmodify.reindex.ReindexProvider;
import ca.uhn.fhir.jpa.provider.InstanceReindexProvider;
import ca.uhn.fhir.rest.server.ResourceBinding;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.method.BaseMethodBinding;
import ca.uhn.fhir.rest.server.method.OperationMethodBinding;
import io.hapireindex.config.ReindexAutoConfiguration;
import io.hapireindex.operation.InstanceReindexOperationProvider;
import io.hapireindex.operation.StartParameterNames;
import io.hapireindex.operation.StartReindexOperationProvider;
import ca.uhn.fhir.rest.api.MethodOutcome;
import org.hl7.fhir.r4.model.IntegerType;
import io.hapireindex.testhost.HapiTestServer;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.OperationDefinition;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.util.ReflectionTestUtils;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The module replaces HAPI's bindings in a host that knows nothing about it. */
class CapabilityAndBindingsIT extends HapiServerTestBase {

	@Autowired
	private RestfulServer restfulServer;

	@Autowired
	private ApplicationContext context;

	@Test
	void moduleArrivesThroughAutoConfigurationOnly() {
		assertThat(context.getBeanNamesForType(ReindexAutoConfiguration.class)).hasSize(1);
		Import hostImports = HapiTestServer.class.getAnnotation(Import.class);
		assertThat(Arrays.stream(hostImports.value()).map(Class::getPackageName))
				.as("the host does not import the module")
				.noneMatch(p -> p.startsWith("io.hapireindex"));
		// the host (like the official starter) keeps HAPI's own beans; the module adds none that clash
		assertThat(context.getBeanNamesForType(ReindexProvider.class)).containsExactly("reindexProvider");
		List<String> moduleBeans = Arrays.stream(context.getBeanDefinitionNames())
				.filter(name -> context.getType(name) != null
						&& context.getType(name).getPackageName().startsWith("io.hapireindex")
						&& !context.getType(name).getPackageName().startsWith("io.hapireindex.testhost"))
				.toList();
		assertThat(moduleBeans).isNotEmpty().allMatch(
				name -> name.startsWith("hapiFhirReindex") || name.equals(ReindexAutoConfiguration.class.getName())
						|| name.equals("io.hapireindex.config.ReindexModuleConfiguration"),
				"module bean names are prefixed");
	}

	@Test
	void onlyTheModulesReindexBindingsRemain() {
		List<BaseMethodBinding> bindings = new ArrayList<>(restfulServer.getServerBindings());
		restfulServer.getResourceBindings().forEach(rb -> bindings.addAll(rb.getMethodBindings()));
		// global (every-type) bindings have no public accessor
		ResourceBinding global = (ResourceBinding) ReflectionTestUtils.getField(restfulServer, "myGlobalBinding");
		bindings.addAll(global.getMethodBindings());
		List<OperationMethodBinding> reindexBindings = bindings.stream()
				.filter(OperationMethodBinding.class::isInstance)
				.map(OperationMethodBinding.class::cast)
				.filter(b -> b.getName().equals("$reindex") || b.getName().equals("$reindex-dryrun"))
				.toList();
		assertThat(reindexBindings).isNotEmpty();
		assertThat(reindexBindings)
				.allMatch(b -> b.getProvider() instanceof InstanceReindexOperationProvider
						|| b.getProvider() instanceof StartReindexOperationProvider, "bound to the module");
		assertThat(reindexBindings.stream().filter(b -> b.isCanOperateAtServerLevel()))
				.as("server-level $reindex is the module's job start")
				.singleElement()
				.satisfies(b -> assertThat(b.getProvider()).isExactlyInstanceOf(StartReindexOperationProvider.class));
		assertThat(reindexBindings.stream().filter(b -> b.isCanOperateAtTypeLevel()).map(b -> b.getResourceName()))
				.as("type-level $reindex for every stored type")
				.contains("Patient", "Observation", "SearchParameter");
		assertThat(bindings.stream().map(BaseMethodBinding::getProvider))
				.as("HAPI's instance provider has nothing but $reindex and $reindex-dryrun")
				.noneMatch(p -> p instanceof InstanceReindexProvider);
		// HAPI's ReindexProvider keeps its status operation for REINDEX jobs started elsewhere
		assertThat(bindings.stream()
						.filter(b -> b.getProvider() instanceof ReindexProvider)
						.map(b -> ((OperationMethodBinding) b).getName()))
				.isNotEmpty()
				.doesNotContain("$reindex");
	}

	@Test
	void capabilityStatementAdvertisesTheModulesOperationsWithAllParameters() {
		CapabilityStatement cs = client.capabilities().ofType(CapabilityStatement.class).execute();
		List<CapabilityStatement.CapabilityStatementRestResourceOperationComponent> ops = Stream.concat(
						cs.getRestFirstRep().getOperation().stream(),
						cs.getRestFirstRep().getResource().stream().flatMap(r -> r.getOperation().stream()))
				.filter(o -> o.getName().equals("reindex") || o.getName().equals("reindex-dryrun"))
				.toList();
		Set<String> definitions = ops.stream().map(o -> o.getDefinition()).collect(Collectors.toSet());
		assertThat(ops.stream().map(o -> o.getName()).collect(Collectors.toSet()))
				.containsExactlyInAnyOrder("reindex", "reindex-dryrun");
		assertThat(definitions).hasSize(2);

		for (String definition : definitions) {
			OperationDefinition od = client.read()
					.resource(OperationDefinition.class)
					.withUrl(definition)
					.execute();
			List<String> params = od.getParameter().stream()
					.filter(p -> p.getUse() == OperationDefinition.OperationParameterUse.IN)
					.map(OperationDefinition.OperationDefinitionParameterComponent::getName)
					.toList();
			assertThat(od.getInstance()).isTrue();
			if (od.getCode().equals("reindex-dryrun")) {
				assertThat(params).containsExactly("code");
				assertThat(od.getAffectsState()).isFalse();
			} else {
				// HAPI merges the server, type and instance bindings into one definition
				assertThat(od.getCode()).isEqualTo("reindex");
				assertThat(od.getSystem()).isTrue();
				assertThat(od.getType()).isTrue();
				assertThat(params).containsExactlyElementsOf(StartParameterNames.ALL);
				assertThat(od.getAffectsState()).isTrue();
			}
		}
	}

	@Test
	void serverLevelReindexIsAnsweredByTheModuleWithHapisParameterNames() {
		Parameters hapiStyle = new Parameters();
		hapiStyle.addParameter("url", "Patient?_id=" + unique("nobody"));
		hapiStyle.addParameter("batchSize", new IntegerType(100));
		MethodOutcome outcome = client.operation()
				.onServer()
				.named("$reindex")
				.withParameters(hapiStyle)
				.returnMethodOutcome()
				.execute();
		assertThat(outcome.getResponseStatusCode()).isEqualTo(201);
		assertThat(outcome.getResponseHeaders().get("content-location"))
				.singleElement()
				.asString()
				.startsWith(baseUrl() + "/_operations/reindex/");
	}
}
