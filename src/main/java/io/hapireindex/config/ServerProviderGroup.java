package io.hapireindex.config;

import java.util.List;

/**
 * Providers that come as many as the host has resource types (one type-level provider per stored type), declared as
 * one {@link ServerProvider} bean.
 */
public record ServerProviderGroup(List<Object> providers) {
	public ServerProviderGroup {
		providers = List.copyOf(providers);
	}
}
