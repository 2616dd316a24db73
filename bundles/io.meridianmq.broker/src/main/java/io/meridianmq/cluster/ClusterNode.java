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
     *
     * @return completes with true once the message is held for this node's persistent sessions
     *         as a publish here would be (on disk, and copied in the cluster), false when it could
     *         not be
     */
    CompletionStage<Boolean> deliver(byte[] message, String messageId, boolean plain, Set<String> sharedRoutes);

    /** A retained message was set ({@code message} non-null) or cleared (null) on another node. */
    void retainedChanged(String topic, byte[] message);

    /**
     * Another node took {@code clientId} over: the client connected here (if any) is disconnected
     * with 0x8E and the session's state goes to that node; the session stays here, taking what
     * still reaches it, until {@link #release}.
     *
     * @return completes with the session's state, or null when this node has no such session
     */
    CompletionStage<byte[]> handOver(String clientId);

    /**
     * The node that took {@code clientId} over now receives its messages: what reached the
     * session here since {@link #handOver} goes there too, and the session leaves this node.
     *
     * @return completes with those messages, or null when there is no such session here
     */
    CompletionStage<byte[]> release(String clientId);

    /**
     * Takes in, offline, the session of {@code clientId} whose node died, from the cluster's copy
     * (the entries written with {@link ClusterFabric#replicate}): its subscriptions keep being
     * served (messages queue for it) until its client connects again anywhere.
     *
     * @return completes, once the session is here, with its routes (to announce), or an empty set
     */
    CompletionStage<Set<String>> adopt(String clientId, java.util.Map<String, byte[]> replica);

    /**
     * The node {@code clientId} was connected to died before its connection ended: its will (as
     * {@link ClusterFabric#will} got it) is published as that node would have done when the
     * connection closed without DISCONNECT. Given to one node, after it took over the dead node's
     * sessions.
     *
     * @since 0.2
     */
    void willOrphaned(String clientId, byte[] will);

    /** The routes of this node's sessions (for a fabric that (re)joins a cluster). */
    Set<String> routes();
}
