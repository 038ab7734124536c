package io.hapireindex.testhost;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import org.hl7.fhir.r4.model.Patient;

import java.util.List;

/**
 * HAPI's AuthorizationInterceptor as a host would configure it (deny by default), keyed on a bearer token:
 * {@code admin} may do anything, {@code patient-reindexer} may reindex Patients only, anyone else may read
 * the CapabilityStatement and nothing more.
 */
public class TestAuthorization extends AuthorizationInterceptor {

	public static final String ADMIN = "Bearer admin";
	public static final String PATIENT_REINDEXER = "Bearer patient-reindexer";

	public TestAuthorization() {
		super(PolicyEnum.DENY);
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		String token = request.getHeader("Authorization");
		if (ADMIN.equals(token)) {
			return new RuleBuilder().allowAll("admin").build();
		}
		if (PATIENT_REINDEXER.equals(token)) {
			return new RuleBuilder()
					.allow("reindex patients").operation().named("$reindex").onType(Patient.class).andAllowAllResponses()
					.andThen()
					.allow("metadata").metadata()
					.andThen()
					.denyAll("nothing else")
					.build();
		}
		return new RuleBuilder().allow("metadata").metadata().andThen().denyAll("anonymous").build();
	}
}
