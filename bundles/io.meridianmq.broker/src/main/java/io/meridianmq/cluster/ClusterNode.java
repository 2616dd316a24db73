package io.meridianmq.cluster;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The broker core as a {@link ClusterFabric} calls it: messages forwarded from other nodes,
 * retained messages changed elsewhere, and sessions another node takes over.
 *
 * <p>Threading: any thread, concurrently; no method blocks. Nullness: as each method says.
 *
 * @since 0.1
 */
public interface ClusterNode {

    /**
     * Delivers a message another node forwarded to this node's local subscribers: to every
     * matching subscription when {@code plain}, and to the shared groups in {@code sharedRoutes}
     * (one member each). Never forwarded on, never stored as retained (that comes by
     * {@link #retainedChanged}).
     */
    void deliver(byte[] message, boolean plain, Set<String> sharedRoutes);

    /** A retained message was set ({@code message} non-null) or cleared (null) on another node. */
    void retainedChanged(String topic, byte[] message);

    /**
     * Another node took {@code clientId} over: the client connected here (if any) is disconnected
     * with 0x8E, and the session leaves this node.
     *
     * @return completes with the session's state, or null when this node has no such session
     */
    CompletionStage<byte[]> handOver(String clientId);

    /** The routes of this node's sessions (for a fabric that (re)joins a cluster). */
    Set<String> routes();
}
