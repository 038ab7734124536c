/**
 * The module's own permission check ({@code required-permission}) on top of the host's authorization.
 *
 * <p>May use: {@code operation} (operation names). Used by: {@code config}.
 */
package io.hapireindex.security;
