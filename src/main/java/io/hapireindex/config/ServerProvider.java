package io.hapireindex.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method whose bean goes onto every host {@code RestfulServer} as a provider (a
 * {@link ServerProviderGroup} adds each of its providers). {@link RestfulServerRegistrar} collects them; a feature adds
 * a provider by declaring the bean, nothing else. Such beans are {@code @Lazy}: only the registrar creates them, and it
 * backs off instead of failing when one cannot be built.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Documented
public @interface ServerProvider {}
