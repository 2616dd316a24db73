package io.meridianmq.cluster;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A cluster engine as the broker core uses it: it keeps the cluster-wide route table (one entry
 * per topic filter and node, never per subscriber), sends a message published here to each other
 * node with a matching route once, keeps retained messages cluster-wide and decides which node
 * owns a client id. Registered as an OSGi service by the {@code meridian-cluster} feature; without
 * one the broker is a single node and none of this is called.
 *
 * <p>Threading: every method may be called from any thread, concurrently; {@link #forward} runs on
 * the publisher's network thread and must not block. Nullness: parameters are never null unless
 * said; results are never null unless said.
 *
 * @since 0.1
 */
public interface ClusterFabric {

    /** This node's id in the cluster, stable while the fabric runs. */
    String nodeId();

    /**
     * The broker core starts using the fabric: from now on the fabric delivers to {@code node}.
     * The core then announces every route and retained message it already has.
     */
    void open(ClusterNode node);

    /** The broker core stops using the fabric (it stops, or the fabric goes away). */
    void close(ClusterNode node);

    /**
     * The first subscription of this node to {@code route} arrived: a topic filter, or
     * {@code $share/GROUP/filter} for a shared subscription group.
     */
    void routeAdded(String route);

    /** The last subscription of this node to {@code route} went. */
    void routeRemoved(String route);

    /**
     * Sends a message published on this node to every other node with a route matching
     * {@code topic}, once per node; {@code message} is asked for at most once, and only when some
     * node matches. Shared groups with members on several nodes get the message on one node each,
     * in turn over those nodes.
     *
     * A QoS 1 or 2 message ({@code confirm}) is confirmed by each node once it holds the message
     * for its persistent sessions as it would its own publishes ({@link Forwarding#stored}).
     *
     * @return which shared groups this node serves itself, how many nodes the message went to,
     *         and when they have it
     */
    Forwarding forward(String topic, boolean confirm, Supplier<byte[]> message);

    /** A retained message was set (or, with a null {@code message}, cleared) on this node. */
    void retained(String topic, byte[] message);

    /**
     * A client connects here with {@code clientId}: this node becomes its owner (with an epoch
     * greater than any before). If another live node owned the session, it hands the session over:
     * its client is disconnected there (0x8E) and the session's state comes back here; if that
     * node is gone, the cluster's copy of the session ({@link #replicate}) comes instead, and
     * leaves the cluster.
     *
     * @return completes with what came ({@link Claimed#NOTHING} for a new session); fails when the
     *         cluster cannot decide (no quorum, or the other node did not answer in time)
     */
    CompletionStage<Claimed> claim(String clientId);

    /**
     * Ends a hand-over that {@link #claim} began: the node {@code from} that handed the session of
     * {@code clientId} over gives what reached the session there since (the session now receives
     * here, and every node knows it: {@link #announce}), and lets it go.
     *
     * @return completes with those messages (as {@link ClusterNode#release} gave them), or null
     */
    CompletionStage<byte[]> release(String clientId, String from);

    /**
     * Applies changes to the cluster's copy of persistent sessions, in order; completes once each
     * is held by the entry's owner node and its backups ({@code backup_count}), so that the loss
     * of any one node loses none of them; fails when that cannot be done. Never blocks.
     */
    CompletionStage<Void> replicate(java.util.List<ReplicaChange> changes);

    /**
     * Makes sure every other node routes {@code routes} to this node now (a session with them just
     * came here): completes with true once each node has them in its route table, false when one
     * did not answer in time. Never blocks.
     */
    CompletionStage<Boolean> announce(java.util.Set<String> routes);

    /** The session of {@code clientId} ended on this node (expired or cleaned): nobody owns it now. */
    void released(String clientId);

    /**
     * The sessions of {@code clientIds} are on this node as it joins (read from its store at a
     * restart): each that no live node owns becomes this node's (with the next epoch); one that a
     * live node owns moved there while this node was away.
     *
     * @return completes with the client ids a live node owns (this node drops its copies of them);
     *         fails when the cluster cannot decide
     * @since 0.2
     */
    CompletionStage<java.util.Set<String>> recovered(java.util.Set<String> clientIds);

    /**
     * A client connected here with a will ({@code will}, as the core writes it), or, with a null
     * {@code will}, the will of its connection here was decided (published, held back with its
     * session, or discarded by a DISCONNECT). The fabric keeps each client's will, on other nodes
     * too, so that when this node dies with the client connected, another node gets it
     * ({@link ClusterNode#willOrphaned}). Never blocks.
     *
     * @since 0.2
     */
    void will(String clientId, byte[] will);

    /**
     * The cluster as this node sees it, for health and metrics, read from local state only (no
     * network call): {@code members}, {@code oldest} (1 when this node is the oldest member, the
     * one that takes over the sessions of a node that left), {@code accepting} (1 or 0),
     * {@code routes_remote} (route entries of other nodes), {@code forwarded_out},
     * {@code forwarded_in} (messages since start), {@code forwards_unconfirmed} (QoS 1/2 messages
     * sent and not yet confirmed by their node), {@code session_copies} (entries of persistent
     * sessions this node holds for the cluster).
     */
    java.util.Map<String, Long> figures();

    /**
     * Whether this node may accept clients: false while it is on the minority side of a network
     * partition (split-brain protection) or not yet part of a cluster.
     */
    boolean accepting();

    /**
     * What {@link #forward} did: shared groups whose turn is on this node, and how many other
     * nodes got the message.
     *
     * @since 0.1
     */
    interface Forwarding {
        /** Forwarded nowhere, every local group served here. */
        Forwarding LOCAL_ONLY = new Forwarding() {
            @Override
            public boolean servesHere(String sharedRoute) {
                return true;
            }

            @Override
            public int nodes() {
                return 0;
            }

            @Override
            public CompletionStage<Boolean> stored() {
                return CONFIRMED;
            }

            @Override
            public String messageId() {
                return null;
            }
        };

        /** Already confirmed. */
        CompletionStage<Boolean> CONFIRMED = java.util.concurrent.CompletableFuture.completedFuture(true);

        /** Whether this node delivers to its members of {@code sharedRoute} ({@code $share/G/filter}). */
        boolean servesHere(String sharedRoute);

        /** How many other nodes the message was sent to. */
        int nodes();

        /**
         * The message's id in the cluster, the same on every node it went to (so that a session
         * moving between nodes takes it once), or null when it went nowhere.
         */
        String messageId();

        /**
         * Completes with true once every node the message went to holds it for its persistent
         * sessions (at once for QoS 0, or when it went nowhere), with false when one could not, or
         * left the cluster, or did not answer in time.
         */
        CompletionStage<Boolean> stored();
    }
}
