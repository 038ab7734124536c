package io.hapireindex.bench;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import io.hapireindex.it.HapiServerTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the benchmark from rotting: the same runner as {@code mvn -Pbenchmark}, every case once, on ~300 generated
 * resources in the suite's shared server and database. HAPI's gated job gets maintenance passes driven here (it
 * would wait a minute per step otherwise), so only correctness is checked, never speed: every case completes and
 * the index rows after the module's full and targeted jobs equal those after HAPI's.
 */
class BenchmarkSmokeIT extends HapiServerTestBase {

	@Autowired
	ApplicationContext context;

	@Autowired
	DaoRegistry daoRegistry;

	@TempDir
	Path out;

	@Test
	@SuppressWarnings("unchecked")
	void everyCaseCompletesAndTheModuleLeavesTheSameIndexRowsAsHapi() throws Exception {
		// ids of their own, so the data sit next to the other tests' data
		String prefix = unique("bench") + "-";
		ClinicalDataGenerator generator = new ClinicalDataGenerator(300, 42, prefix);
		new DatasetLoader(context.getBean(IFhirSystemDao.class), daoRegistry).load(generator, 2);
		BenchServer server = BenchServer.existing(context, baseUrl());
		BenchmarkRunner.prepareSearchParameter(server);

		BenchResults results = new BenchResults();
		BenchmarkRunner.Options options = new BenchmarkRunner.Options(
				1, BenchmarkRunner.ALL_CASES, out.resolve("snapshots"), prefix, true, true, true);
		boolean equal = new BenchmarkRunner(server, options, "smoke", 300, results).run();

		assertThat(results.checks).extracting(BenchResults.Check::caseName).containsExactlyInAnyOrder("full", "targeted");
		assertThat(results.checks).allSatisfy(c -> assertThat(c.equal()).as(c.diffSample()).isTrue());
		assertThat(results.checks).allSatisfy(c -> assertThat(c.rows()).isGreaterThan(300));
		assertThat(equal).isTrue();
		assertThat(results.runs).extracting(r -> r.caseName() + "/" + r.engine()).containsExactlyInAnyOrder(
				"full/floor", "targeted/floor", "full/hapi", "full/module", "targeted/hapi", "targeted/module",
				"targeted-1pct/module", "one/module", "one/hapi");
		assertThat(results.runs).allSatisfy(r -> assertThat(r.seconds()).isPositive());
		assertThat(results.runs).filteredOn(r -> !r.caseName().equals("targeted-1pct"))
				.allSatisfy(r -> assertThat(r.resources()).as(r.caseName() + "/" + r.engine()).isPositive());
		assertThat(results.runs).filteredOn(r -> r.caseName().equals("full") && r.engine().equals("floor"))
				.allSatisfy(r -> assertThat(r.values()).isGreaterThan(3000L));

		// per-type rates of the module's full job, from its batch records (the shared database has other jobs' too)
		assertThat(results.typeRates).extracting(BenchResults.TypeRate::type).contains("Observation", "Patient", "Encounter");
		assertThat(results.typeRates).allSatisfy(t -> {
			assertThat(t.caseName()).isEqualTo("full");
			assertThat(t.resources()).isPositive();
			assertThat(t.batches()).isPositive();
		});

		// the report renders from these results (into the temp dir: the smoke test never writes docs/)
		Path md = new BenchmarkReport(results).write(out);
		assertThat(Files.readString(md)).contains("| smoke | 300 | full | module | 1 |").contains("![Throughput per case]")
				.contains("## Resources per busy second per worker, by type").contains("| smoke | 300 | full | Observation |");
		assertThat(out.resolve("images/benchmark-type-rates.png")).isNotEmptyFile();
		assertThat(out.resolve("images/benchmark-throughput.png")).isNotEmptyFile();
	}

	/** The benchmark's SearchParameter and its rows go; the generated resources stay, like other tests' data. */
	@AfterEach
	void removeSearchParameter() {
		daoRegistry.getResourceDao("SearchParameter")
				.delete(new IdType("SearchParameter/" + DatasetLoader.SP_ID), new SystemRequestDetails());
		new JdbcTemplate(dataSource).update("DELETE FROM HFJ_SPIDX_TOKEN WHERE SP_NAME = ?", DatasetLoader.SP_CODE);
		searchParamRegistry.forceRefresh();
	}
}
