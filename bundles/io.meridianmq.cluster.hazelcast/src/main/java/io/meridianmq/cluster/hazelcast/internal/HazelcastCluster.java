package io.meridianmq.cluster.hazelcast.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.meridianmq.cluster.Claimed;
import io.meridianmq.cluster.ClusterFabric;
import io.meridianmq.cluster.ReplicaChange;
import io.meridianmq.cluster.ClusterNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Hazelcast member as the broker's {@link ClusterFabric}: it starts the member, and
 * puts together the route table ({@link RouteReplica}, {@link RouteTrie}), forwarding
 * ({@link Forwarder}), retained messages ({@link RetainedReplica}) and session ownership
 * ({@link SessionOwners}); it follows members joining and leaving.
 *
 * <p>Thread-safe: started and stopped by {@link ClusterComponent}; the fabric's methods run on
 * any thread.
 */
final class HazelcastCluster implements ClusterFabric, MembershipListener {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCluster.class);

    private final ClusterSettings settings;
    private final HazelcastInstance hazelcast;
    private final String self;
    private final RouteTrie trie = new RouteTrie();
    /** Writes to the replicated maps, in the order the broker made them (they may block on the network). */
    private final ExecutorService writes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "meridian-cluster-writes");
        t.setDaemon(true);
        return t;
    });
    private final RouteReplica routes;
    private final RetainedReplica retained;
    private final Forwarder forwarder;
    private final SessionOwners owners;
    private final SessionReplicas replicas;
    private final LiveWills wills;
    /** Reads and sweeps of session copies (they block on the network). */
    private final ScheduledExecutorService background = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "meridian-cluster-sessions");
        t.setDaemon(true);
        return t;
    });

    private HazelcastCluster(ClusterSettings settings, HazelcastInstance hazelcast) {
        this.settings = settings;
        this.hazelcast = hazelcast;
        this.self = hazelcast.getCluster().getLocalMember().getUuid().toString();
        this.routes = new RouteReplica(self, hazelcast, trie, writes);
        this.retained = new RetainedReplica(hazelcast, writes);
        this.forwarder = new Forwarder(self, trie, hazelcast, settings.handOverTimeout());
        this.replicas = new SessionReplicas(hazelcast, background);
        this.wills = new LiveWills(self, hazelcast);
        this.owners = new SessionOwners(self, hazelcast, settings.handOverTimeout(), replicas);
        hazelcast.getUserContext().put(SessionOwners.OWNERS, owners);
        hazelcast.getCluster().addMembershipListener(this);
        routes.start();
    }

    /** Starts a member with {@code settings} and joins (or forms) the cluster; blocks until it has. */
    static HazelcastCluster start(ClusterSettings settings) {
        Thread current = Thread.currentThread();
        ClassLoader before = current.getContextClassLoader();
        current.setContextClassLoader(HazelcastCluster.class.getClassLoader());
        try {
            return new HazelcastCluster(settings, Hazelcast.newHazelcastInstance(MemberConfig.from(settings)));
        } finally {
            current.setContextClassLoader(before);
        }
    }

    void stop() {
        routes.stop();
        writes.shutdown();
        background.shutdown();
        hazelcast.shutdown();
    }

    int members() {
        return hazelcast.getCluster().getMembers().size();
    }

    boolean isOldest() {
        return hazelcast.getCluster().getMembers().iterator().next().localMember();
    }

    long forwardedOut() {
        return forwarder.sent();
    }

    long forwardedIn() {
        return forwarder.received();
    }

    @Override
    public String nodeId() {
        return self;
    }

    @Override
    public void open(ClusterNode node) {
        hazelcast.getUserContext().put(SessionOwners.NODE, node);
        forwarder.start(node);
        retained.start(node);
    }

    @Override
    public void close(ClusterNode node) {
        hazelcast.getUserContext().remove(SessionOwners.NODE, node);
        forwarder.stop();
        retained.stop();
    }

    @Override
    public void routeAdded(String route) {
        routes.added(route);
    }

    @Override
    public void routeRemoved(String route) {
        routes.removed(route);
    }

    @Override
    public Forwarding forward(String topic, boolean confirm, Supplier<byte[]> message) {
        return forwarder.forward(topic, confirm, message);
    }

    @Override
    public void retained(String topic, byte[] message) {
        retained.changed(topic, message);
    }

    @Override
    public CompletionStage<Claimed> claim(String clientId) {
        return owners.claim(clientId);
    }

    @Override
    public CompletionStage<Void> replicate(List<ReplicaChange> changes) {
        return replicas.replicate(changes);
    }

    @Override
    public CompletionStage<byte[]> release(String clientId, String from) {
        return owners.release(clientId, from);
    }

    @Override
    public CompletionStage<Boolean> announce(Set<String> added) {
        return forwarder.announce(added);
    }

    @Override
    public void released(String clientId) {
        owners.released(clientId);
    }

    @Override
    public CompletionStage<Set<String>> recovered(Set<String> clientIds) {
        return owners.recovered(clientIds);
    }

    @Override
    public void will(String clientId, byte[] will) {
        wills.changed(clientId, will);
    }

    @Override
    public boolean accepting() {
        // the protection Hazelcast applies to the session maps: what it refuses, clients are refused
        return hazelcast.getSplitBrainProtectionService().getSplitBrainProtection(MemberConfig.MAJORITY)
                .hasMinimumSize();
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        LOG.info("Cluster '{}': node {} ({}) joined; {} node(s)", settings.clusterName(), event.getMember().getUuid(),
                event.getMember().getAddress(), event.getMembers().size());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        String gone = event.getMember().getUuid().toString();
        int left = event.getMembers().size();
        LOG.info("Cluster '{}': node {} ({}) left; {} node(s){}", settings.clusterName(), gone,
                event.getMember().getAddress(), left, left < settings.minClusterSize()
                        ? ", fewer than min_cluster_size (" + settings.minClusterSize() + "): new clients are refused"
                        : "");
        forwarder.forget(gone);
        if (isOldest()) {
            // its persistent sessions continue here before its routes go, so that no message for
            // them finds no route (publishers meanwhile get "not taken" and send again)
            LOG.info("Cluster '{}': this node is the oldest: the persistent sessions of node {} continue here",
                    settings.clusterName(), gone);
            background.execute(() -> {
                try {
                    ClusterNode node = (ClusterNode) hazelcast.getUserContext().get(SessionOwners.NODE);
                    Set<String> taken = node == null ? Set.of() : owners.adoptOrphans(gone, node::adopt);
                    // every node routes to the sessions here before the departed node's routes go
                    boolean all = forwarder.announce(taken).toCompletableFuture()
                            .get(settings.handOverTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
                    LOG.info("Cluster '{}': the persistent sessions of node {} continue here ({} route(s){})",
                            settings.clusterName(), gone, taken.size(), all ? "" : "; not every node confirmed them");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    LOG.error("Cluster '{}': the routes of the sessions of node {} were not confirmed: {}",
                            settings.clusterName(), gone, e.toString());
                } catch (RuntimeException e) {
                    LOG.error("Cluster '{}': the sessions of node {} could not all be taken over: {}",
                            settings.clusterName(), gone, e.toString());
                } finally {
                    orphanedWills(gone);
                    routes.memberLeft(gone);
                }
            });
        } else {
            // the oldest node takes the sessions over and removes the routes; should it fail to, they go here anyway
            background.schedule(() -> routes.memberLeft(gone), settings.handOverTimeout().toMillis() * 3,
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The connections of the departed node's clients are gone: their wills go out from here, after
     * its sessions came here (a delayed will waits with its session).
     */
    private void orphanedWills(String gone) {
        try {
            ClusterNode node = (ClusterNode) hazelcast.getUserContext().get(SessionOwners.NODE);
            int orphaned = node == null ? 0 : wills.takeOrphans(gone, node::willOrphaned);
            if (orphaned > 0) {
                LOG.info("Cluster '{}': the wills of {} client(s) connected to node {} were handled here",
                        settings.clusterName(), orphaned, gone);
            }
        } catch (RuntimeException e) {
            LOG.error("Cluster '{}': the wills of the clients of node {} could not be published: {}",
                    settings.clusterName(), gone, e.toString());
        }
    }

    @Override
    public Map<String, Long> figures() {
        Map<String, Long> f = new java.util.HashMap<>();
        f.put("members", (long) members());
        f.put("oldest", isOldest() ? 1L : 0L);
        f.put("accepting", accepting() ? 1L : 0L);
        f.put("routes_remote", (long) trie.size(self));
        f.put("forwarded_out", forwarder.sent());
        f.put("forwarded_in", forwarder.received());
        f.put("forwards_unconfirmed", (long) forwarder.unconfirmed());
        f.put("wills_kept", hazelcast.getMap(LiveWills.MAP).getLocalMapStats().getOwnedEntryCount());
        f.put("session_copies", hazelcast.getMap(SessionReplicas.MAP).getLocalMapStats().getOwnedEntryCount());
        return f;
    }
}
