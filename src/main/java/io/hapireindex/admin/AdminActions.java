package io.hapireindex.admin;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import io.hapireindex.job.JobInstances;
import io.hapireindex.job.ReindexJobParameters;
import io.hapireindex.job.ReindexJobService;
import io.hapireindex.operation.GivenParameter;
import io.hapireindex.operation.OperationNames;
import io.hapireindex.operation.RequestBodies;
import io.hapireindex.operation.StartParameterNames;
import io.hapireindex.operation.StartRequestParser;
import io.hapireindex.status.JobProgressStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The page's buttons. Each goes through the code the FHIR operations use ({@link StartRequestParser},
 * {@link ReindexJobService}), so the page validates, deduplicates and restarts exactly as {@code $reindex} and the
 * job API do, with the same messages.
 */
class AdminActions {

	private static final Logger LOG = LoggerFactory.getLogger(AdminActions.class);

	/** Start parameters that say what to scan; a retry replaces them with the failed resources. */
	private static final Set<String> SCOPE_PARAMETERS = Set.of(
			StartParameterNames.URL,
			StartParameterNames.RESOURCE_TYPE,
			StartParameterNames.TARGET_RESOURCE_TYPES,
			StartParameterNames.RESOURCE_ID);

	private final StartRequestParser parser;
	private final ReindexJobService jobs;
	private final IJobCoordinator coordinator;
	private final IRequestPartitionHelperSvc partitionHelper;
	private final AdminJobView view;

	AdminActions(
			StartRequestParser parser,
			ReindexJobService jobs,
			IJobCoordinator coordinator,
			IRequestPartitionHelperSvc partitionHelper,
			AdminJobView view) {
		this.parser = parser;
		this.jobs = jobs;
		this.coordinator = coordinator;
		this.partitionHelper = partitionHelper;
		this.view = view;
	}

	/**
	 * Starts a server-level reindex job from the form: each field is a start parameter of the contract, a list
	 * for repeated ones. Empty fields are left out, so the server's defaults apply.
	 */
	Map<String, Object> start(Map<String, Object> form, RequestDetails request) {
		ReindexJobService.Started started = startParsed(RequestBodies.fromForm(form), request);
		LOG.info("Reindex job {} {} from the admin page", started.jobId(), started.reused() ? "reused" : "started");
		return result(started);
	}

	Map<String, Object> cancel(String jobId) {
		JobInstance instance = view.instance(jobId);
		if (AdminJobView.isModuleJob(instance)) {
			jobs.cancel(jobId);
		} else {
			JobInstances.requireNotEnded(instance, "Job");
			coordinator.cancelInstance(jobId);
			LOG.info("Batch job {} ({}): cancel requested from the admin page", jobId, instance.getJobDefinitionId());
		}
		return view.summary(view.instance(jobId));
	}

	/** The job API's {@code $restart}: failed resources plus whatever the job never reached. */
	Map<String, Object> restart(String jobId, RequestDetails request) {
		moduleJob(jobId, "restarted");
		ReindexJobService.Started started = jobs.restart(jobId, request);
		LOG.info("Reindex job {}: restarted as {} from the admin page", jobId, started.jobId());
		return result(started);
	}

	/**
	 * A new job for the failed resources only (by id), with the old job's other settings; unlike a restart it
	 * leaves out the pages the old job never reached.
	 */
	Map<String, Object> retryFailed(String jobId, RequestDetails request) {
		JobInstance old = moduleJob(jobId, "retried");
		JobInstances.requireEnded(old, "wait for it to end or cancel it first");
		Set<String> failed = new LinkedHashSet<>();
		for (JobProgressStore.JobError e : view.allErrors(jobId)) {
			if (e.namesResource()) {
				failed.add(e.resource());
			}
		}
		if (failed.isEmpty()) {
			throw new ResourceVersionConflictException("Reindex job " + jobId + " has no failed resources to retry");
		}
		ReindexJobParameters params = AdminJobView.params(old);
		List<GivenParameter> body = new ArrayList<>();
		params.request().forEach((name, values) -> {
			if (!SCOPE_PARAMETERS.contains(name)) {
				values.forEach(v -> body.add(new GivenParameter(name, v)));
			}
		});
		failed.forEach(id -> body.add(new GivenParameter(StartParameterNames.RESOURCE_ID, id)));
		ReindexJobService.Started started = startParsed(body, request);
		LOG.info("Reindex job {}: {} failed resource(s) retried as job {} from the admin page",
				jobId, failed.size(), started.jobId());
		return result(started);
	}

	private ReindexJobService.Started startParsed(List<GivenParameter> body, RequestDetails request) {
		RequestPartitionId callerPartition =
				partitionHelper.determineReadPartitionForRequestForServerOperation(request, OperationNames.REINDEX);
		ReindexJobParameters parameters = parser.parse(body, null, callerPartition);
		return jobs.start(parameters, request);
	}

	private JobInstance moduleJob(String jobId, String verb) {
		JobInstance instance = view.instance(jobId);
		if (!AdminJobView.isModuleJob(instance)) {
			throw new InvalidRequestException("Job " + jobId + " is a " + instance.getJobDefinitionId()
					+ " job; only the module's reindex jobs can be " + verb + " here");
		}
		return instance;
	}

	private static Map<String, Object> result(ReindexJobService.Started started) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", started.jobId());
		m.put("reused", started.reused());
		return m;
	}
}
