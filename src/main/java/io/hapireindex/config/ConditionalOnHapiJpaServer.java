package io.hapireindex.config;

import org.springframework.context.annotation.Conditional;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On configurations whose beans are built from HAPI's JPA beans: without them those beans would fail and take the
 * host's context down; with this they are not defined and {@code RequiredHapiBeansCheck} says why.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Documented
@Conditional(OnHapiJpaServerCondition.class)
public @interface ConditionalOnHapiJpaServer {}
