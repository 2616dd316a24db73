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
            reconcile(next);
        }
    }

    /**
     * The sessions this node has as it joins (from its store, at a restart) meet the cluster's:
     * those a live node took over while this one was away end here; the others are this node's,
     * and the cluster gets a full copy of each persistent one.
     */
    private void reconcile(ClusterFabric f) {
        Set<String> here = new java.util.HashSet<>();
        core.registry.sessions().forEach(s -> here.add(s.clientId));
        if (here.isEmpty()) {
            return;
        }
        f.recovered(here).whenComplete((moved, failure) -> {
            if (failure != null) {
                LOG.warn("The {} session(s) on this node could not be checked against the cluster's: {}", here.size(),
                        failure.toString());
                return;
            }
            int ended = 0;
            for (String clientId : here) {
                if (moved.contains(clientId)) {
                    ended += core.registry.movedAway(clientId) ? 1 : 0;
                    continue;
                }
                Session session = core.registry.find(clientId);
                if (session != null) {
                    session.submit(() -> session.moves().copyToCluster(core.replicatingStore().clusterOnly()));
                }
            }
            LOG.info("Cluster: {} session(s) on this node continue here; {} moved to other nodes while it was away "
                    + "and end here", here.size() - moved.size(), ended);
        });
    }

    /** This node's id in the cluster, or null on a single node. */
    String nodeId() {
        ClusterFabric f = fabric;
        return f == null ? null : f.nodeId();
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

    /** The cluster's figures for health and metrics, with this node's replication backlog; empty on one node. */
    java.util.Map<String, Long> figures() {
        ClusterFabric f = fabric;
        if (f == null) {
            return java.util.Map.of();
        }
        java.util.Map<String, Long> all = new java.util.TreeMap<>(f.figures());
        all.put("replication_pending", core.replicatingStore().pending());
        all.put("routes_local", (long) routes().size());
        return all;
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
        return f.claim(clientId).thenCompose(claimed -> {
            RecoveredSession handed = null;
            String from = null;
            if (claimed.handedOver() != null) {
                handed = ClusterCodec.handed(claimed.handedOver()).session();
                from = "handed over by its node";
            } else if (claimed.replica() != null) {
                handed = ClusterCodec.replica(clientId, claimed.replica());
                from = "from the cluster's copy (its node is gone)";
            }
            if (handed == null) {
                return CompletableFuture.completedFuture(null);
            }
            LOG.info("Client '{}': session taken over, {} ({} subscription(s), {} message(s))", clientId, from,
                    handed.subscriptions().size(), handed.messages().size());
            Set<String> routes = routesOf(handed);
            // the client is answered once every node sends this session's messages here, and the
            // node it came from gave what reached it there meanwhile
            return core.registry.adopt(handed).thenCompose(here -> f.announce(routes)).thenCompose(all -> {
                if (!all) {
                    LOG.warn("Client '{}': not every node confirmed the session's routes in time", clientId);
                }
                return claimed.from() == null ? CompletableFuture.<byte[]>completedFuture(null)
                        : f.release(clientId, claimed.from());
            }).thenAccept(rest -> settle(clientId, rest == null ? null : ClusterCodec.handed(rest)));
        });
    }

    /** Adds the rest a session's previous node gave, then ends the move (after a grace period for stragglers). */
    private void settle(String clientId, HandedSession rest) {
        Session session = core.registry.find(clientId);
        if (session == null) {
            return;
        }
        session.submit(() -> session.moves().append(rest));
        core.threads.schedule(() -> session.submit(() -> session.moves().takeOnce(false)), 30,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    private static Set<String> routesOf(RecoveredSession s) {
        Set<String> routes = new java.util.HashSet<>();
        s.subscriptions().forEach(sub -> routes.add(AnnouncedRoutes.route(sub.filter(), sub.shareName())));
        return routes;
    }

    /** The session of {@code clientId} ended here: the cluster forgets its owner. */
    void released(String clientId) {
        ClusterFabric f = fabric;
        if (f != null) {
            f.released(clientId);
        }
    }

    /** A client connected here with a will: the cluster keeps it, should this node die with the client connected. */
    void willSet(ClientIdentity owner, io.meridianmq.broker.WillMessage will, long sessionExpirySeconds) {
        ClusterFabric f = fabric;
        if (f != null && will != null) {
            f.will(owner.clientId(), ClusterCodec.will(new ClusterCodec.LiveWill(will, owner.username().orElse(null),
                    sessionExpirySeconds)));
        }
    }

    /** The will of a connection here was decided (published, held back or discarded): the cluster forgets it. */
    void willDecided(String clientId) {
        ClusterFabric f = fabric;
        if (f != null) {
            f.will(clientId, null);
        }
    }

    // ---- as the fabric's node ----

    @Override
    public void willOrphaned(String clientId, byte[] bytes) {
        ClusterCodec.LiveWill live;
        try {
            live = ClusterCodec.will(bytes);
        } catch (IllegalArgumentException unreadable) {
            LOG.warn("Client '{}': its node died; its will could not be read and is dropped: {}", clientId,
                    unreadable.getMessage());
            return;
        }
        io.meridianmq.broker.WillMessage w = live.will();
        ClientIdentity owner = new ClientIdentity(clientId, new java.net.InetSocketAddress(0), "(its node died)", 5,
                java.util.Optional.ofNullable(live.username()));
        long expiry = live.sessionExpirySeconds();
        if (w.delaySeconds() > 0 && expiry > 0) {
            // held back like on its node: with the session (taken over here), cancelled if the client is back
            Session session = core.registry.find(clientId);
            if (session == null || session.isOnline()) {
                LOG.info("Client '{}': its node died; its delayed will to '{}' is not sent: the client connected "
                        + "again in time", clientId, w.topic());
                return;
            }
            long delay = expiry < w.delaySeconds() ? expiry : w.delaySeconds();
            session.submit(() -> session.delayWill(owner, new io.meridianmq.broker.WillMessage(w.topic(), w.payload(),
                    w.qos(), w.retain(), w.properties(), delay, w.messageExpirySeconds())));
            LOG.info("Client '{}': its node died; its will to '{}' is sent in {} s unless it reconnects", clientId,
                    w.topic(), delay);
            return;
        }
        LOG.info("Client '{}': its node died with the client connected; publishing its will to '{}'", clientId,
                w.topic());
        core.wills.publish(owner, w);
    }

    @Override
    public CompletionStage<Boolean> deliver(byte[] message, String messageId, boolean plain,
            Set<String> sharedRoutes) {
        Message m;
        try {
            m = ClusterCodec.message(message);
        } catch (IllegalArgumentException unreadable) {
            LOG.warn("A message forwarded by another node was dropped: {}", unreadable.getMessage());
            return CompletableFuture.completedFuture(false);
        }
        return core.router.routeForwarded(m, messageId, plain, sharedRoutes);
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
        return core.registry.handOver(clientId).thenApply(s -> s == null ? null : ClusterCodec.handed(s));
    }

    @Override
    public CompletionStage<byte[]> release(String clientId) {
        return core.registry.release(clientId).thenApply(s -> s == null ? null : ClusterCodec.handed(s));
    }

    @Override
    public CompletionStage<Set<String>> adopt(String clientId, java.util.Map<String, byte[]> replica) {
        RecoveredSession orphan;
        try {
            orphan = ClusterCodec.replica(clientId, replica);
        } catch (IllegalArgumentException unreadable) {
            LOG.error("Client '{}': its node left the cluster and its session could not be taken over: {}", clientId,
                    unreadable.getMessage());
            return CompletableFuture.completedFuture(Set.of());
        }
        if (orphan == null) {
            return CompletableFuture.completedFuture(Set.of());
        }
        LOG.info("Client '{}': its node left the cluster; the session continues here ({} subscription(s), {} "
                + "message(s))", clientId, orphan.subscriptions().size(), orphan.messages().size());
        if (LOG.isDebugEnabled()) {
            orphan.messages().forEach((seq, m) -> LOG.debug("Client '{}': adopted message {} '{}' packet id {}{}",
                    clientId, seq, new String(m.payload(), java.nio.charset.StandardCharsets.UTF_8), m.packetId(),
                    m.released() ? " released" : ""));
        }
        Set<String> routes = routesOf(orphan);
        return core.registry.adopt(orphan).thenApply(here -> {
            settle(clientId, null);
            return routes;
        });
    }

    @Override
    public Set<String> routes() {
        return core.routes instanceof AnnouncedRoutes announced ? announced.routes() : Set.of();
    }
}
