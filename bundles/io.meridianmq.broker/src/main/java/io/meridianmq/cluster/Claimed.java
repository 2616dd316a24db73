package io.meridianmq.cluster;

import java.util.Map;

/**
 * What claiming a client id brought: the session its previous node handed over, or, when that
 * node is gone, the cluster's copy of it (the entries of its latest incarnation); both null when
 * the session is new or already on this node.
 *
 * @param handedOver the state as {@link ClusterNode#handOver} gave it, or null
 * @param replica the entries the broker wrote with {@link ClusterFabric#replicate}, or null
 * @param from the node that handed the session over (to {@link ClusterFabric#release} once it is
 *        routed here), or null
 * @since 0.1
 */
public record Claimed(byte[] handedOver, Map<String, byte[]> replica, String from) {

    /** Nothing came: a new session, or one already here. */
    public static final Claimed NOTHING = new Claimed(null, null, null);
}
