package io.hapireindex.job;

import ca.uhn.fhir.batch2.api.IJobParametersValidator;
import ca.uhn.fhir.rest.api.server.RequestDetails;

import java.util.List;

/** The job definition's own check: batch2 refuses to start a job whose parameters break {@link ReindexJobRules}. */
public class ReindexJobParametersValidator implements IJobParametersValidator<ReindexJobParameters> {

	@Override
	public List<String> validate(RequestDetails request, ReindexJobParameters parameters) {
		return ReindexJobRules.check(parameters).stream()
				.map(v -> v.parameter() + ": " + v.message())
				.toList();
	}
}
