package io.hapireindex.hapi;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.BatchWorkChunkStatusDTO;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.batch2.model.WorkChunkCreateEvent;
import ca.uhn.fhir.batch2.model.WorkChunkStatusEnum;
import ca.uhn.fhir.batch2.models.JobInstanceFetchRequest;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import io.hapireindex.it.HapiServerTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Sort;

import java.lang.reflect.Method;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract of {@link Batch2Tables}: its SQL on batch2's tables reads and writes the states batch2's own persistence
 * ({@link IJobPersistence}) writes and reads. Each chunk here is driven through its states by HAPI's API, on a job
 * instance of a definition no worker knows, so nothing runs it.
 */
class Batch2TablesContractIT extends HapiServerTestBase {

	private static final String CHUNK_RUN_TABLE = "HFR_CHUNK_RUN";

	@Autowired
	private IJobPersistence persistence;

	@Autowired
	private IJobCoordinator coordinator;

	private final List<String> instances = new ArrayList<>();

	@AfterEach
	void deleteInstances() {
		instances.forEach(persistence::deleteInstanceAndChunks);
	}

	private String newInstance(String definitionId) {
		JobInstance instance = new JobInstance();
		instance.setJobDefinitionId(definitionId);
		instance.setJobDefinitionVersion(1);
		instance.setStatus(StatusEnum.QUEUED);
		instance.setParameters("{}");
		String id = store(instance);
		instances.add(id);
		return id;
	}

	/** HAPI 8.8 added a request parameter to {@code storeNewInstance}; the suite also runs on 8.6. */
	private String store(JobInstance instance) {
		try {
			for (Method method : IJobPersistence.class.getMethods()) {
				if (method.getName().equals("storeNewInstance")) {
					Object[] args = method.getParameterCount() == 2
							? new Object[] {new SystemRequestDetails(), instance}
							: new Object[] {instance};
					return (String) method.invoke(persistence, args);
				}
			}
		} catch (ReflectiveOperationException e) {
			throw new IllegalStateException(e);
		}
		throw new IllegalStateException("IJobPersistence.storeNewInstance not found");
	}

	private Optional<Batch2Tables.OpenChunk> stallable(Batch2Tables tables, String definitionId, String chunkId) {
		return tables.stallableChunks(definitionId, CHUNK_RUN_TABLE).stream()
				.filter(c -> c.id().equals(chunkId))
				.findFirst();
	}

	private WorkChunkStatusEnum statusOf(String instanceId) {
		List<BatchWorkChunkStatusDTO> statuses = persistence.fetchWorkChunkStatusForInstance(instanceId);
		assertThat(statuses).as("batch2's chunk status of instance %s", instanceId).hasSize(1);
		return statuses.get(0).status;
	}

	@Test
	void chunkQueriesFollowTheStatesBatch2Writes() {
		String definitionId = unique("hfr-contract");
		String instanceId = newInstance(definitionId);
		String chunkId = persistence.onWorkChunkCreate(
				new WorkChunkCreateEvent(definitionId, 1, "step", instanceId, 0, "{}", false));
		Batch2Tables tables = new Batch2Tables(dataSource);
		long now = System.currentTimeMillis();

		assertThat(tables.countWaitingChunks(definitionId, new Timestamp(now + 60_000), new Timestamp(now)))
				.as("Batch2Tables.countWaitingChunks: a new chunk is READY (BT2_WORK_CHUNK.STAT, CREATE_TIME) of a QUEUED"
						+ " job (BT2_JOB_INSTANCE.STAT)")
				.isEqualTo(1);

		persistence.enqueueWorkChunkForProcessing(chunkId, updated -> {});
		assertThat(stallable(tables, definitionId, chunkId)).as("Batch2Tables.stallableChunks: a chunk handed out is QUEUED")
				.hasValueSatisfying(c -> {
					assertThat(c.status()).isEqualTo(WorkChunkStatusEnum.QUEUED.name());
					assertThat(c.instanceId()).isEqualTo(instanceId);
					assertThat(c.createTime()).isNotNull();
				});

		assertThat(persistence.onWorkChunkDequeue(chunkId)).as("batch2 starts the chunk").isPresent();
		assertThat(stallable(tables, definitionId, chunkId))
				.as("Batch2Tables.stallableChunks: a started chunk is IN_PROGRESS with BT2_WORK_CHUNK.START_TIME")
				.hasValueSatisfying(c -> {
					assertThat(c.status()).isEqualTo(WorkChunkStatusEnum.IN_PROGRESS.name());
					assertThat(c.startTime()).isNotNull();
				});
		assertThat(tables.lastChunkActivityByJob(definitionId, CHUNK_RUN_TABLE))
				.as("Batch2Tables.lastChunkActivityByJob: one row per open job")
				.containsKey(instanceId);

		assertThat(tables.setChunkReady(chunkId, WorkChunkStatusEnum.IN_PROGRESS.name()))
				.as("Batch2Tables.setChunkReady: UPDATE of BT2_WORK_CHUNK.STAT").isTrue();
		assertThat(statusOf(instanceId)).as("Batch2Tables.setChunkReady: batch2 reads the chunk back as READY")
				.isEqualTo(WorkChunkStatusEnum.READY);
		persistence.enqueueWorkChunkForProcessing(chunkId, updated -> {});
		assertThat(persistence.onWorkChunkDequeue(chunkId))
				.as("Batch2Tables.setChunkReady: batch2 hands a chunk set back to READY out and starts it again")
				.isPresent();

		persistence.onWorkChunkPollDelay(chunkId, new java.util.Date(now + 3_600_000));
		assertThat(statusOf(instanceId)).as("batch2 parks a chunk as POLL_WAITING").isEqualTo(WorkChunkStatusEnum.POLL_WAITING);
		assertThat(tables.countWaitingChunks(definitionId, new Timestamp(now - 60_000), new Timestamp(now)))
				.as("Batch2Tables.countWaitingChunks: a chunk parked for an hour is not due (BT2_WORK_CHUNK.NEXT_POLL_TIME)")
				.isZero();
		assertThat(tables.callParkedChunkBack(instanceId, new Timestamp(now)))
				.as("Batch2Tables.callParkedChunkBack finds the POLL_WAITING chunk").isTrue();
		assertThat(tables.countWaitingChunks(definitionId, new Timestamp(now - 60_000), new Timestamp(now + 1_000)))
				.as("Batch2Tables.callParkedChunkBack: the parked chunk is due now")
				.isEqualTo(1);
	}

	@Test
	void cancelIsReadFromTheJobInstance() {
		String instanceId = newInstance(unique("hfr-contract"));
		Batch2Tables tables = new Batch2Tables(dataSource);
		assertThat(tables.cancelRequested(instanceId)).as("Batch2Tables.cancelRequested of a job not cancelled").isFalse();
		coordinator.cancelInstance(instanceId);
		assertThat(tables.cancelRequested(instanceId))
				.as("Batch2Tables.cancelRequested: IJobCoordinator.cancelInstance sets BT2_JOB_INSTANCE.JOB_CANCELLED")
				.isTrue();
	}

	@Test
	void jobInstancesSortByTheCreateTimeProperty() throws InterruptedException {
		String definitionId = unique("hfr-contract");
		String older = newInstance(definitionId);
		Thread.sleep(20);
		String newer = newInstance(definitionId);
		JobInstanceFetchRequest request = new JobInstanceFetchRequest();
		request.setPageStart(0);
		request.setBatchSize(10);
		request.setJobDefinitionId(definitionId);
		request.setSort(Sort.by(Sort.Direction.DESC, Batch2Tables.INSTANCE_CREATE_TIME_PROPERTY));
		assertThat(coordinator.fetchAllJobInstances(request).getContent())
				.as("Batch2Tables.INSTANCE_CREATE_TIME_PROPERTY: batch2's job instance entity sorts by myCreateTime")
				.extracting(JobInstance::getInstanceId)
				.containsExactly(newer, older);
	}
}
