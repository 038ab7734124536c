package io.hapireindex.bench;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.api.IJobPartitionProvider;
import ca.uhn.fhir.batch2.jobs.reindex.ReindexJobParameters;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.JobInstanceStartRequest;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HAPI's own {@code REINDEX} job (the highest registered version, as HAPI's {@code $reindex} starts it), started
 * through {@link IJobCoordinator} with the parameters HAPI's ReindexProvider builds. By default it is only
 * watched, so its gated steps wait for the scheduled maintenance pass as they do for an operator.
 */
final class HapiReindexDriver {

	static final String JOB_DEFINITION_ID = "REINDEX";
	static final String REINDEX_STEP = "modify-resources";

	private final IJobCoordinator coordinator;
	private final IJobPartitionProvider partitionProvider;
	private final IJobMaintenanceService maintenance;
	private final JdbcTemplate jdbc;
	private final boolean driveMaintenance;

	/** @param driveMaintenance run maintenance passes while waiting (smoke test only: not what operators get) */
	HapiReindexDriver(IJobCoordinator coordinator, IJobPartitionProvider partitionProvider,
			IJobMaintenanceService maintenance, JdbcTemplate jdbc, boolean driveMaintenance) {
		this.coordinator = coordinator;
		this.partitionProvider = partitionProvider;
		this.maintenance = maintenance;
		this.jdbc = jdbc;
		this.driveMaintenance = driveMaintenance;
	}

	/** Runs one job to its end; fails when it does not complete. */
	JobRun run(List<String> urls, long timeoutMillis) throws InterruptedException {
		long t0 = System.nanoTime();
		ReindexJobParameters params = new ReindexJobParameters();
		params.addPartitionedUrls(partitionProvider.getPartitionedUrls(new SystemRequestDetails(), urls));
		JobInstanceStartRequest request = new JobInstanceStartRequest();
		request.setJobDefinitionId(JOB_DEFINITION_ID);
		request.setParameters(params);
		String jobId = coordinator.startInstance(new SystemRequestDetails(), request).getInstanceId();

		// finished jobs lose their chunks on a later maintenance pass: record the reindex step's chunks while running
		Map<String, long[]> chunks = new ConcurrentHashMap<>();
		long deadline = System.currentTimeMillis() + timeoutMillis;
		JobInstance instance;
		long reportEvery = driveMaintenance ? 5_000 : 30_000;
		long nextReport = System.currentTimeMillis() + reportEvery;
		while (true) {
			instance = coordinator.getInstance(jobId);
			recordChunks(jobId, chunks);
			if (instance.getStatus().isEnded()) {
				break;
			}
			if (System.currentTimeMillis() > deadline) {
				throw new IllegalStateException("HAPI job " + jobId + " still " + instance.getStatus() + " after "
						+ timeoutMillis / 1000 + " s");
			}
			if (System.currentTimeMillis() > nextReport) {
				nextReport += reportEvery;
				StringBuilder steps = new StringBuilder();
				coordinator.getWorkChunkStatus(jobId).forEach(c -> steps.append(' ').append(c.stepId).append('=')
						.append(c.status).append('x').append(c.totalChunks));
				System.out.printf("[bench]   HAPI job %s: %s, gated step %s, chunks:%s, %.0f s%n", jobId,
						instance.getStatus(), instance.getCurrentGatedStepId(), steps, (System.nanoTime() - t0) / 1e9);
			}
			if (driveMaintenance) {
				maintenance.runMaintenancePass();
				Thread.sleep(100);
			} else {
				Thread.sleep(250);
			}
		}
		double seconds = (System.nanoTime() - t0) / 1e9;
		if (instance.getStatus() != StatusEnum.COMPLETED) {
			throw new IllegalStateException("HAPI job " + jobId + " ended " + instance.getStatus() + ": "
					+ instance.getErrorMessage());
		}
		long records = chunks.values().stream().mapToLong(c -> c[2]).sum();
		long first = chunks.values().stream().mapToLong(c -> c[0]).min().orElse(0);
		long last = chunks.values().stream().mapToLong(c -> c[1]).max().orElse(0);
		Double steady = last > first ? records / ((last - first) / 1000.0) : null;
		return new JobRun(jobId, seconds, records, steady);
	}

	private void recordChunks(String jobId, Map<String, long[]> chunks) {
		jdbc.query("SELECT ID, START_TIME, END_TIME, RECORDS_PROCESSED FROM BT2_WORK_CHUNK"
						+ " WHERE INSTANCE_ID = ? AND TGT_STEP_ID = ? AND STAT = 'COMPLETED'",
				rs -> {
					Timestamp start = rs.getTimestamp(2);
					Timestamp end = rs.getTimestamp(3);
					if (start != null && end != null) {
						chunks.put(rs.getString(1), new long[] {start.getTime(), end.getTime(), rs.getLong(4)});
					}
				},
				jobId,
				REINDEX_STEP);
	}
}
