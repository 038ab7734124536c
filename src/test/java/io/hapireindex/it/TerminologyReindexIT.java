package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.jpa.term.api.ITermDeferredStorageSvc;
import ca.uhn.fhir.jpa.term.api.ITermReadSvc;
import ca.uhn.fhir.rest.api.MethodOutcome;
import io.hapireindex.job.ReindexJob;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.NamingSystem;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.List;
import java.util.Map;

import static io.hapireindex.it.JobApi.field;
import static io.hapireindex.it.JobApi.part;
import static io.hapireindex.it.JobApi.repeated;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code $terminology-reindex} rebuilds the terminology storage of CodeSystem, ValueSet and ConceptMap resources
 * (new code system version with all concepts, pre-expansion, concept map tables) and their index rows, while a
 * plain {@code $reindex} of the same resources rewrites index rows only. Checked in HAPI's tables.
 */
class TerminologyReindexIT extends HapiServerTestBase {

	private static final int CONCEPTS = 2000;
	/**
	 * The ValueSet enumerates codes of a system not stored here: HAPI pre-expands a ValueSet that includes a stored
	 * CodeSystem only with Hibernate Search, which the test host (like the starter's default) does not run.
	 */
	private static final int VALUESET_CODES = 40;
	private static final String EXTERNAL_SYSTEM = "http://example.org/fhir/external-codes";
	private static final String TARGET_SYSTEM = "http://example.org/fhir/target-codes";

	@Autowired
	private ITermDeferredStorageSvc deferredStorage;

	@Autowired
	private ITermReadSvc termReadSvc;

	@Autowired
	private IJobCoordinator coordinator;

	private JdbcTemplate jdbc;
	private String csId;
	private String csUrl;
	private String vsId;
	private String vsUrl;
	private String cmId;
	private String cmUrl;

	@BeforeEach
	void loadTerminology() {
		// a CodeSystem of a few thousand concepts takes longer than the client's default 10 s on a busy machine
		FHIR.getRestfulClientFactory().setSocketTimeout(120_000);
		client = FHIR.newRestfulGenericClient(baseUrl());
		jobs = new JobApi(client, baseUrl(), FHIR);
		jdbc = new JdbcTemplate(dataSource);
		csId = unique("cs");
		csUrl = "http://example.org/fhir/CodeSystem/" + csId;
		CodeSystem cs = new CodeSystem();
		cs.setId("CodeSystem/" + csId);
		cs.setUrl(csUrl);
		cs.setName("Test" + csId.replace("-", ""));
		cs.setStatus(Enumerations.PublicationStatus.ACTIVE);
		cs.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
		for (int i = 0; i < CONCEPTS; i++) {
			cs.addConcept().setCode(code(i)).setDisplay("Concept " + i);
		}
		// test setup only: HAPI's scheduled task drops queued concepts of a version whose transaction it cannot
		// see yet; on a busy machine that happens to a large CodeSystem's first version
		deferredStorage.setProcessDeferred(false);
		try {
			client.update().resource(cs).execute();
		} finally {
			deferredStorage.setProcessDeferred(true);
		}

		vsId = unique("vs");
		vsUrl = "http://example.org/fhir/ValueSet/" + vsId;
		ValueSet vs = new ValueSet();
		vs.setId("ValueSet/" + vsId);
		vs.setUrl(vsUrl);
		vs.setStatus(Enumerations.PublicationStatus.ACTIVE);
		ValueSet.ConceptSetComponent include = vs.getCompose().addInclude().setSystem(EXTERNAL_SYSTEM);
		for (int i = 0; i < VALUESET_CODES; i++) {
			include.addConcept().setCode("x" + i).setDisplay("External " + i);
		}
		client.update().resource(vs).execute();

		cmId = unique("cm");
		cmUrl = "http://example.org/fhir/ConceptMap/" + cmId;
		ConceptMap cm = new ConceptMap();
		cm.setId("ConceptMap/" + cmId);
		cm.setUrl(cmUrl);
		cm.setStatus(Enumerations.PublicationStatus.ACTIVE);
		ConceptMap.ConceptMapGroupComponent group = cm.addGroup().setSource(csUrl).setTarget(TARGET_SYSTEM);
		for (int i = 0; i < 3; i++) {
			group.addElement().setCode(code(i)).addTarget().setCode("T" + i)
					.setEquivalence(Enumerations.ConceptMapEquivalence.EQUIVALENT);
		}
		client.update().resource(cm).execute();

		// test setup only: let HAPI finish storing the concepts and pre-expand, as its scheduled tasks would
		long deadline = System.currentTimeMillis() + 120_000;
		do {
			deferredStorage.saveAllDeferred();
			JobApi.sleep(200);
		} while (!deferredStorage.isStorageQueueEmpty(true) && System.currentTimeMillis() < deadline);
		termReadSvc.preExpandDeferredValueSetsToTerminologyTables();
		assertThat(conceptCount()).isEqualTo(CONCEPTS);
		assertThat(valueSet()).containsEntry("EXPANSION_STATUS", "EXPANDED");
		assertThat(translate(1)).isEqualTo("T1");
	}

	@Test
	void plainReindexRewritesIndexRowsButLeavesTerminologyStorageAlone() {
		long csVersion = currentVersionPid();
		Map<String, Object> concepts = conceptPids();
		Map<String, Object> vs = valueSet();
		long cmPid = conceptMapPid();
		dropUrlRows();

		String jobId = jobs.start(null, new Parameters()
				.addParameter("resourceId", new StringType("CodeSystem/" + csId))
				.addParameter("resourceId", new StringType("ValueSet/" + vsId))
				.addParameter("resourceId", new StringType("ConceptMap/" + cmId)));
		Parameters status = jobs.awaitCompleted(jobId);
		assertThat(JobApi.number(status, "resourcesSuccessfullyReindexed")).isEqualTo(3);
		assertThat(JobApi.number(status, "resourcesChanged")).as("the dropped rows were written again").isEqualTo(3);

		assertUrlRows();
		assertThat(currentVersionPid()).as("no new code system version").isEqualTo(csVersion);
		assertThat(versionCount()).isEqualTo(1);
		assertThat(conceptPids()).as("concepts not re-stored").isEqualTo(concepts);
		assertThat(valueSet()).as("pre-expansion kept").isEqualTo(vs);
		assertThat(conceptMapPid()).as("concept map tables kept").isEqualTo(cmPid);
		assertThat(translate(2)).isEqualTo("T2");
	}

	@Test
	void terminologyReindexRebuildsConceptsExpansionAndConceptMapAndIndexRows() {
		long csVersion = currentVersionPid();
		long lastConceptPid = ((Number) conceptPids().get("MAXPID")).longValue();
		long vsPid = ((Number) valueSet().get("PID")).longValue();
		long cmPid = conceptMapPid();
		dropUrlRows();

		MethodOutcome started = client.operation().onServer()
				.named("$terminology-reindex")
				.withParameters(new Parameters()
						.addParameter("resourceType", new StringType("CodeSystem"))
						.addParameter("resourceType", new StringType("ValueSet"))
						.addParameter("resourceType", new StringType("ConceptMap"))
						.addParameter("resourceId", new StringType("CodeSystem/" + csId)))
				.returnMethodOutcome()
				.execute();
		assertThat(started.getResponseStatusCode()).isEqualTo(201);
		String location = started.getResponseHeaders().get("content-location").get(0);
		assertThat(location).startsWith(baseUrl() + "/_operations/reindex/");
		String jobId = location.substring(location.lastIndexOf('/') + 1);

		Parameters status = jobs.awaitCompleted(jobId);
		assertThat(field(status, "operation")).isEqualTo("$terminology-reindex");
		assertThat(repeated(status, "request").get(0).getPart()).extracting(p -> p.getName() + "=" + p.getValue().primitiveValue())
				.containsExactly("resourceType=CodeSystem", "resourceType=ValueSet", "resourceType=ConceptMap",
						"resourceId=CodeSystem/" + csId);
		Map<String, String> reindexedByType = new java.util.TreeMap<>();
		repeated(status, "stateByResourceType").forEach(c -> reindexedByType.put(part(c, "resourceType"), part(c, "reindexed")));
		assertThat(reindexedByType.keySet()).containsExactly("CodeSystem", "ConceptMap", "ValueSet");
		assertThat(Long.parseLong(reindexedByType.get("CodeSystem"))).as("all CodeSystems, and ours again by id")
				.isEqualTo(1 + count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'CodeSystem' AND RES_DELETED_AT IS NULL"));

		assertUrlRows();
		assertThat(currentVersionPid()).as("a new code system version").isNotEqualTo(csVersion);
		assertThat(versionCount()).as("the replaced version is deleted").isEqualTo(1);
		assertThat(conceptCount()).as("every concept stored in the new version").isEqualTo(CONCEPTS);
		assertThat(((Number) conceptPids().get("MINPID")).longValue()).as("concepts re-stored").isGreaterThan(lastConceptPid);
		Map<String, Object> vs = valueSet();
		assertThat(((Number) vs.get("PID")).longValue()).as("the ValueSet's terminology row was rebuilt").isNotEqualTo(vsPid);
		assertThat(vs).as("pre-expanded again").containsEntry("EXPANSION_STATUS", "EXPANDED");
		assertThat(((Number) vs.get("TOTAL_CONCEPTS")).longValue()).isEqualTo(VALUESET_CODES);
		assertThat(count("SELECT COUNT(*) FROM TRM_VALUESET_CONCEPT WHERE VALUESET_PID = ?", vs.get("PID"))).isEqualTo(VALUESET_CODES);
		assertThat(conceptMapPid()).as("concept map tables recreated").isNotEqualTo(cmPid);
		assertThat(translate(0)).isEqualTo("T0");
		assertThat(translate(2)).isEqualTo("T2");
	}

	@Test
	void typeLevelReindexesOnlyThatType() {
		String nsId = unique("ns");
		String uniqueId = "urn:oid:1.2.3." + Math.abs(nsId.hashCode());
		NamingSystem ns = new NamingSystem();
		ns.setId("NamingSystem/" + nsId);
		ns.setName("Ns" + nsId.replace("-", ""));
		ns.setStatus(Enumerations.PublicationStatus.ACTIVE);
		ns.setKind(NamingSystem.NamingSystemType.IDENTIFIER);
		ns.setDate(new java.util.Date());
		ns.addUniqueId().setType(NamingSystem.NamingSystemIdentifierType.OID).setValue(uniqueId);
		client.update().resource(ns).execute();
		long pid = resourcePid("NamingSystem", nsId);
		String rows = "SELECT COUNT(*) FROM HFJ_SPIDX_STRING WHERE RES_ID = ? AND SP_NAME = 'name'";
		long valueRows = count(rows, pid);
		assertThat(valueRows).isPositive();
		jdbc.update("DELETE FROM HFJ_SPIDX_STRING WHERE RES_ID = ? AND SP_NAME = 'name'", pid);
		assertThat(count(rows, pid)).isZero();

		MethodOutcome started = client.operation().onType(NamingSystem.class)
				.named("$terminology-reindex")
				.withNoParameters(Parameters.class)
				.returnMethodOutcome()
				.execute();
		assertThat(started.getResponseStatusCode()).isEqualTo(201);
		String location = started.getResponseHeaders().get("content-location").get(0);
		Parameters status = jobs.awaitCompleted(location.substring(location.lastIndexOf('/') + 1));
		assertThat(field(status, "resources")).isEqualTo("NamingSystem");
		assertThat(JobApi.number(status, "resourcesSuccessfullyReindexed"))
				.isEqualTo(count("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'NamingSystem' AND RES_DELETED_AT IS NULL"));
		assertThat(count(rows, pid)).as("its index rows were written again").isEqualTo(valueRows);
		assertThat(searchCount("NamingSystem?name=" + ns.getName())).isEqualTo(1);
	}

	@Test
	void badInputIsRejectedWithAnOutcomeNamingTheParameterAndStartsNoJob() {
		int before = moduleJobs();
		assertRejected("", "{\"name\":\"resourceType\",\"valueString\":\"Patient\"}", "resourceType");
		assertRejected("", "{\"name\":\"resourceType\",\"valueString\":\"NoSuchType\"}", "resourceType");
		assertRejected("", "{\"name\":\"resourceId\",\"valueString\":\"CodeSystem\"}", "resourceId");
		assertRejected("", "{\"name\":\"resourceId\",\"valueString\":\"Patient/p1\"}", "resourceId");
		assertRejected("", "{\"name\":\"resourceId\",\"valueString\":\"CodeSystem/a b\"}", "resourceId");
		assertRejected("", "{\"name\":\"batchSize\",\"valueInteger\":5}", "batchSize");
		assertRejected("/ValueSet", "{\"name\":\"resourceType\",\"valueString\":\"CodeSystem\"}", "resourceType");
		assertThat(moduleJobs()).as("no job started").isEqualTo(before);
	}

	// ---------------------------------------------------------------- helpers

	private void assertRejected(String level, String parameter, String name) {
		JobApi.Answer answer = jobs.post(level + "/$terminology-reindex",
				"{\"resourceType\":\"Parameters\",\"parameter\":[" + parameter + "]}");
		assertThat(answer.status()).as(parameter).isEqualTo(400);
		assertThat(answer.outcome().getIssueFirstRep().getDiagnostics()).contains("'" + name + "'");
	}

	private int moduleJobs() {
		return coordinator.getJobInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0).size();
	}

	private static String code(int i) {
		return String.format("c%04d", i);
	}

	private String translate(int i) {
		Parameters out = client.operation().onType(ConceptMap.class)
				.named("$translate")
				.withParameter(Parameters.class, "url", new UriType(cmUrl))
				.andParameter("system", new UriType(csUrl))
				.andParameter("code", new CodeType(code(i)))
				.andParameter("targetsystem", new UriType(TARGET_SYSTEM))
				.execute();
		assertThat(field(out, "result")).as("$translate of %s", code(i)).isEqualTo("true");
		return repeated(out, "match").get(0).getPart().stream()
				.filter(p -> p.getName().equals("concept"))
				.map(p -> ((org.hl7.fhir.r4.model.Coding) p.getValue()).getCode())
				.findFirst()
				.orElseThrow();
	}

	private long resourcePid(String type, String id) {
		return db.pid(type, id);
	}

	/** The {@code url} index rows of the three resources are removed, so a reindex has something to restore. */
	private void dropUrlRows() {
		for (List<String> r : List.of(List.of("CodeSystem", csId), List.of("ValueSet", vsId), List.of("ConceptMap", cmId))) {
			jdbc.update("DELETE FROM HFJ_SPIDX_URI WHERE RES_ID = ? AND SP_NAME = 'url'", resourcePid(r.get(0), r.get(1)));
			assertThat(urlRows(r.get(0), r.get(1))).isZero();
		}
	}

	private void assertUrlRows() {
		assertThat(urlRows("CodeSystem", csId)).isEqualTo(1);
		assertThat(urlRows("ValueSet", vsId)).isEqualTo(1);
		assertThat(urlRows("ConceptMap", cmId)).isEqualTo(1);
		assertThat(searchCount("CodeSystem?url=" + csUrl)).isEqualTo(1);
		assertThat(searchCount("ValueSet?url=" + vsUrl)).isEqualTo(1);
		assertThat(searchCount("ConceptMap?url=" + cmUrl)).isEqualTo(1);
	}

	private long urlRows(String type, String id) {
		return count("SELECT COUNT(*) FROM HFJ_SPIDX_URI WHERE RES_ID = ? AND SP_NAME = 'url'", resourcePid(type, id));
	}

	private long currentVersionPid() {
		return jdbc.queryForObject(
				"SELECT CURRENT_VERSION_PID FROM TRM_CODESYSTEM WHERE CODE_SYSTEM_URI = ?", Long.class, csUrl);
	}

	private long versionCount() {
		return count("SELECT COUNT(*) FROM TRM_CODESYSTEM_VER v JOIN TRM_CODESYSTEM c ON v.CODESYSTEM_PID = c.PID"
				+ " WHERE c.CODE_SYSTEM_URI = ?", csUrl);
	}

	private long conceptCount() {
		return count("SELECT COUNT(*) FROM TRM_CONCEPT WHERE CODESYSTEM_PID = ?", currentVersionPid());
	}

	/** Count and smallest/largest primary key of the current version's concepts: equal only if none was re-stored. */
	private Map<String, Object> conceptPids() {
		return jdbc.queryForMap("SELECT COUNT(*) AS N, MIN(PID) AS MINPID, MAX(PID) AS MAXPID FROM TRM_CONCEPT"
				+ " WHERE CODESYSTEM_PID = ?", currentVersionPid());
	}

	private Map<String, Object> valueSet() {
		// case-insensitive keys: H2 reports column labels in upper case, PostgreSQL in lower case
		return jdbc.queryForMap(
				"SELECT PID, EXPANSION_STATUS, TOTAL_CONCEPTS, EXPANDED_AT FROM TRM_VALUESET WHERE URL = ?", vsUrl);
	}

	private long conceptMapPid() {
		return jdbc.queryForObject("SELECT PID FROM TRM_CONCEPT_MAP WHERE URL = ?", Long.class, cmUrl);
	}

	private long count(String sql, Object... args) {
		return jdbc.queryForObject(sql, Long.class, args);
	}
}
