package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IFirstJobStepWorker;
import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.batch2.api.VoidModel;
import io.hapireindex.cluster.StalledChunkWatchdog;
import io.hapireindex.status.JobProgressStore;
import jakarta.annotation.Nonnull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * First step: one chunk per scope (URL or type, per partition selection) and one per type of explicit ids,
 * so the id loading of different scopes runs in parallel on any node.
 */
public class GenerateScopesStep implements IFirstJobStepWorker<ReindexJobParameters, ScopeChunk> {

	private static final Logger LOG = LoggerFactory.getLogger(GenerateScopesStep.class);

	private final JobProgressStore progress;

	private final StalledChunkWatchdog watchdog;

	public GenerateScopesStep(JobProgressStore progress, StalledChunkWatchdog watchdog) {
		this.progress = progress;
		this.watchdog = watchdog;
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ReindexJobParameters, VoidModel> details,
			@Nonnull IJobDataSink<ScopeChunk> sink) {
		String jobId = details.getInstance().getInstanceId();
		watchdog.claim(details.getChunkId());
		ReindexJobParameters params = details.getParameters();
		List<ScopeChunk> chunks = new ArrayList<>();
		int index = 0;
		for (ReindexScope scope : params.scopes()) {
			progress.registerScope(jobId, index, scope.resourceType(), scope.label());
			chunks.add(new ScopeChunk(index++, scope.resourceType(), List.of()));
		}
		for (Map.Entry<String, List<String>> e : ReindexJobService.idGroups(params.resourceIds()).entrySet()) {
			progress.registerScope(jobId, index, e.getKey(), String.join(",", e.getValue()));
			chunks.add(new ScopeChunk(index++, e.getKey(), e.getValue()));
		}
		chunks.forEach(sink::accept);
		LOG.info("Reindex job {}: planned {} scope(s)", jobId, chunks.size());
		return new RunOutcome(chunks.size());
	}
}
