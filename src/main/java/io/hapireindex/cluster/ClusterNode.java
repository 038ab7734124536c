package io.hapireindex.cluster;

import java.lang.management.ManagementFactory;
import java.util.UUID;

/** This JVM's name in the module's tables (batch log, throttle slots, chunk owners, heartbeats). */
public final class ClusterNode {

	/**
	 * pid@host alone is not enough: a container restarted with the same hostname often gets the same pid, and
	 * then a dead node's chunks would look owned by a live one. A random suffix makes every start a new node.
	 * No '/': throttle slot holders are "node/thread/uuid".
	 */
	public static final String ID = ManagementFactory.getRuntimeMXBean().getName().replace('/', '_')
			+ "#" + UUID.randomUUID().toString().substring(0, 8);

	private ClusterNode() {}
}
