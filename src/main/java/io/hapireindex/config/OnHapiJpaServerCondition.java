package io.hapireindex.config;

import io.hapireindex.hapi.HapiApi;
import io.hapireindex.hapi.HapiVersion;
import io.hapireindex.startup.RequiredHapiBeans;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.util.List;

/**
 * Matches when the host defines every bean of {@link RequiredHapiBeans} and its HAPI has the API the module's classes
 * call ({@link HapiApi}). Evaluated when beans are registered, like
 * Spring Boot's {@code @ConditionalOnBean}, and reliable for the same reason: auto-configurations come after the
 * host's own configuration. A plain-Spring host imports the module after HAPI's configuration.
 */
class OnHapiJpaServerCondition extends SpringBootCondition implements ConfigurationCondition {

	@Override
	public ConfigurationPhase getConfigurationPhase() {
		return ConfigurationPhase.REGISTER_BEAN;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConfigurableListableBeanFactory beans = context.getBeanFactory();
		if (beans == null) {
			return ConditionOutcome.noMatch("no bean factory");
		}
		if (!HapiApi.missing().isEmpty()) {
			// the parts would not link on this HAPI: building them would fail the host's context refresh
			return ConditionOutcome.noMatch("HAPI " + HapiVersion.running() + " lacks API of " + HapiApi.missing());
		}
		List<String> missing = RequiredHapiBeans.missing(beans, context.getClassLoader());
		return missing.isEmpty()
				? ConditionOutcome.match("HAPI JPA server beans present")
				: ConditionOutcome.noMatch("no bean of " + missing);
	}
}
