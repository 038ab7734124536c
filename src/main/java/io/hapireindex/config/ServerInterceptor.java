package io.hapireindex.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method whose bean goes onto every host {@code RestfulServer} as an interceptor, in ascending
 * {@link #order()}: HAPI runs hooks of equal order in registration order, and the permission check must come before
 * the job API and the admin page answer a request.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Documented
public @interface ServerInterceptor {

	int order();
}
