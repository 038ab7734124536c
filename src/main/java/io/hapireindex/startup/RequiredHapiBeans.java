package io.hapireindex.startup;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ClassUtils;

import java.util.List;

/**
 * The HAPI JPA beans the module's parts are built from. Named, not referenced, so a host without HAPI's JPA server
 * on the classpath gets an answer instead of a {@code NoClassDefFoundError}.
 */
public final class RequiredHapiBeans {

	/** What a HAPI JPA server with batch2 (the official starter, or {@code JpaR4Config} + {@code JpaBatch2Config}) has. */
	public static final List<String> TYPES = List.of(
			"ca.uhn.fhir.context.FhirContext",
			"ca.uhn.fhir.jpa.api.dao.DaoRegistry",
			"ca.uhn.fhir.jpa.api.dao.IFhirSystemDao",
			"ca.uhn.fhir.jpa.api.config.JpaStorageSettings",
			"ca.uhn.fhir.jpa.model.config.PartitionSettings",
			"ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService",
			"ca.uhn.fhir.rest.server.util.ISearchParamRegistry",
			"ca.uhn.fhir.interceptor.api.IInterceptorService",
			"ca.uhn.fhir.batch2.api.IJobCoordinator",
			"ca.uhn.fhir.batch2.api.IJobMaintenanceService",
			"ca.uhn.fhir.batch2.coordinator.JobDefinitionRegistry",
			"ca.uhn.fhir.jpa.api.svc.IBatch2DaoSvc",
			"ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc",
			"ca.uhn.fhir.jpa.searchparam.MatchUrlService",
			"javax.sql.DataSource",
			"jakarta.persistence.EntityManagerFactory");

	private RequiredHapiBeans() {}

	/** The types of {@link #TYPES} the bean factory has no bean of, without creating any bean. */
	public static List<String> missing(ListableBeanFactory beans, ClassLoader classLoader) {
		return TYPES.stream().filter(type -> !present(beans, classLoader, type)).toList();
	}

	private static boolean present(ListableBeanFactory beans, ClassLoader classLoader, String typeName) {
		if (!ClassUtils.isPresent(typeName, classLoader)) {
			return false;
		}
		Class<?> type = ClassUtils.resolveClassName(typeName, classLoader);
		return beans.getBeanNamesForType(type, true, false).length > 0;
	}
}
