package io.meridianmq.broker.internal;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.meridianmq.cluster.ClusterFabric;
import io.meridianmq.cluster.ClusterNode;
import io.meridianmq.storage.RecoveredSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker as a node of a cluster, when a {@link ClusterFabric} is there: tells the fabric of
 * routes, publishes, retained messages and connecting client ids, and takes in what it sends
 * from other nodes. Without a fabric every method is a no-op costing one volatile read, so a
 * single node runs as before.
 *
 * <p>Thread-safe: {@link #fabric} is written by the component runtime's thread when the fabric
 * comes and goes, read by any thread.
 */
final class ClusterLink implements ClusterNode {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLink.class);

    private final CoreParts core;
    /** The cluster in use, or null on a single node; written by the component runtime's thread. */
    private volatile ClusterFabric fabric;

    ClusterLink(CoreParts core) {
        this.core = core;
    }

    /** The cluster to use from now on (null: a single node again). */
    synchronized void use(ClusterFabric next) {
        ClusterFabric previous = fabric;
        if (previous == next) {
            return;
        }
        if (previous != null) {
            fabric = null;
            previous.close(this);
            LOG.info("Cluster left: this broker runs as a single node");
        }
        if (next != null) {
            fabric = next;
            next.open(this);
            for (String route : routes()) {
                next.routeAdded(route);
            }
            LOG.info("Cluster joined as node {}", next.nodeId());
        }
    }

    /** The fabric in use, or null (for the router's hot path: one volatile read). */
    ClusterFabric fabric() {
        return fabric;
    }

    void routeAdded(String route) {
        ClusterFabric f = fabric;
        if (f != null) {
            f.routeAdded(route);
        }
    }

    void routeRemoved(String route) {
        ClusterFabric f = fabric;
        if (f != null) {
            f.routeRemoved(route);
        }
    }

    /** A retained message was set or cleared by routing here: the other nodes take it too. */
    void retained(Message message) {
        ClusterFabric f = fabric;
        if (f != null && !RetainedQuota.isSys(message.topic())) { // $SYS: each node's own figures
            f.retained(message.topic(), message.payload().length == 0 ? null : ClusterCodec.message(message));
        }
    }

    /** Whether clients may connect here (false on the minority side of a split). */
    boolean accepting() {
        ClusterFabric f = fabric;
        return f == null || f.accepting();
    }

    /**
     * Makes this node the owner of {@code clientId} cluster-wide; when another node had the
     * session, it comes here first (offline, for the connection to attach to).
     */
    CompletionStage<Void> claim(String clientId) {
        ClusterFabric f = fabric;
        if (f == null) {
            return CompletableFuture.completedFuture(null);
        }
        return f.claim(clientId).thenAccept(state -> {
            if (state != null) {
                RecoveredSession handed = ClusterCodec.session(state);
                LOG.info("Client '{}': session taken over from another node ({} subscription(s), {} message(s))",
                        clientId, handed.subscriptions().size(), handed.messages().size());
                core.registry.adopt(handed);
            }
        });
    }

    /** The session of {@code clientId} ended here: the cluster forgets its owner. */
    void released(String clientId) {
        ClusterFabric f = fabric;
        if (f != null) {
            f.released(clientId);
        }
    }

    // ---- as the fabric's node ----

    @Override
    public void deliver(byte[] message, boolean plain, Set<String> sharedRoutes) {
        Message m;
        try {
            m = ClusterCodec.message(message);
        } catch (IllegalArgumentException unreadable) {
            LOG.warn("A message forwarded by another node was dropped: {}", unreadable.getMessage());
            return;
        }
        core.router.routeForwarded(m, plain, sharedRoutes);
    }

    @Override
    public void retainedChanged(String topic, byte[] message) {
        if (message == null) {
            core.retained.clear(topic);
            return;
        }
        core.retained.retain(ClusterCodec.message(message));
    }

    @Override
    public CompletionStage<byte[]> handOver(String clientId) {
        return core.registry.handOver(clientId).thenApply(s -> s == null ? null : ClusterCodec.session(s));
    }

    @Override
    public Set<String> routes() {
        return core.routes instanceof AnnouncedRoutes announced ? announced.routes() : Set.of();
    }
}
