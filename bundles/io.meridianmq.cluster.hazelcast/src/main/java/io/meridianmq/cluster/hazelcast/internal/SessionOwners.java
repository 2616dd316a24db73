package io.meridianmq.cluster.hazelcast.internal;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;

import io.meridianmq.cluster.Claimed;
import io.meridianmq.cluster.ClusterNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node owns each client id, cluster-wide: a partitioned map (each entry held by its owner
 * member and {@code backup_count} others) from client id to "node epoch". A claim makes this node
 * the owner with the next epoch in one atomic step on the entry's partition, so two nodes never
 * both get it; the node that had the session then hands it over.
 *
 * <p>Thread-safe; nothing here blocks the caller (claims complete on Hazelcast's threads).
 */
final class SessionOwners {

    private static final Logger LOG = LoggerFactory.getLogger(SessionOwners.class);
    static final String MAP = "meridian.session-owners";
    static final String EXECUTOR = "meridian.handover";
    /** The key in Hazelcast's user context under which the local broker's node is found. */
    static final String NODE = "meridian.node";
    /** The key under which this node's {@link SessionOwners} is found (for hand-overs to wait on adoptions). */
    static final String OWNERS = "meridian.owners";
    /** Client ids whose orphaned session this node is taking in right now. */
    private final Map<String, CompletableFuture<Void>> adopting = new java.util.concurrent.ConcurrentHashMap<>();

    private final String self;
    private final HazelcastInstance hazelcast;
    private final Duration handOverTimeout;
    private final SessionReplicas replicas;

    SessionOwners(String self, HazelcastInstance hazelcast, Duration handOverTimeout, SessionReplicas replicas) {
        this.self = self;
        this.hazelcast = hazelcast;
        this.handOverTimeout = handOverTimeout;
        this.replicas = replicas;
    }

    private IMap<String, String> map() {
        return hazelcast.getMap(MAP);
    }

    CompletionStage<Claimed> claim(String clientId) {
        CompletableFuture<Claimed> result = new CompletableFuture<>();
        map().submitToKey(clientId, new Claim(self)).whenComplete((previous, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
                return;
            }
            String owner = previous == null ? null : previous.substring(0, previous.indexOf(' '));
            if (owner == null || owner.equals(self)) {
                result.complete(Claimed.NOTHING); // new, or already here
                return;
            }
            Member member = memberOf(owner);
            if (member == null) {
                // its node is gone: the session comes from the cluster's copy
                replicas.take(clientId).whenComplete((replica, failed) -> {
                    if (failed != null) {
                        result.completeExceptionally(failed);
                    } else {
                        result.complete(replica == null ? Claimed.NOTHING : new Claimed(null, replica, null));
                    }
                });
                return;
            }
            call(member, new SessionCall(clientId, false)).whenComplete((state, failed) -> {
                if (failed != null) {
                    result.completeExceptionally(failed);
                } else {
                    result.complete(state == null ? Claimed.NOTHING : new Claimed(state, null, owner));
                }
            });
        });
        return result.orTimeout(handOverTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes over, on this node, every session whose owner was {@code gone} (a node that left):
     * each is claimed only if {@code gone} still owns it (another node may have been faster, or
     * its client connected elsewhere), then taken from the cluster's copy and handed to
     * {@code adopt}. Blocks: runs on a background thread. Returns the routes of the sessions taken.
     */
    Set<String> adoptOrphans(String gone,
            java.util.function.BiFunction<String, Map<String, byte[]>, CompletionStage<Set<String>>> adopt) {
        IMap<String, String> owners = map();
        Set<String> routes = new java.util.HashSet<>();
        for (String clientId : owners.keySet(new OwnedBy(gone))) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            adopting.put(clientId, done);
            try {
                Boolean mine = owners.executeOnKey(clientId, new ClaimFrom(gone, self));
                if (Boolean.TRUE.equals(mine)) {
                    Map<String, byte[]> replica = replicas.take(clientId).toCompletableFuture().join();
                    if (replica != null) {
                        routes.addAll(adopt.apply(clientId, replica).toCompletableFuture().join());
                        LOG.info("Client '{}': its session was on node {}, which left; it continues here", clientId,
                                gone);
                    } else {
                        owners.executeOnKey(clientId, new Disown(self)); // nothing persistent to continue
                    }
                }
            } finally {
                adopting.remove(clientId, done);
                done.complete(null);
            }
        }
        return routes;
    }

    /**
     * The sessions of {@code clientIds} are on this node as it joins: each that no live member
     * owns becomes this node's; completes with those a live member owns.
     */
    CompletionStage<Set<String>> recovered(Set<String> clientIds) {
        Set<String> live = new java.util.HashSet<>();
        hazelcast.getCluster().getMembers().forEach(m -> live.add(m.getUuid().toString()));
        return map().submitToKeys(clientIds, new Recover(self, live)).thenApply(stays -> {
            Set<String> elsewhere = new java.util.HashSet<>();
            stays.forEach((clientId, here) -> {
                if (!Boolean.TRUE.equals(here)) {
                    elsewhere.add(clientId);
                }
            });
            return elsewhere;
        });
    }

    /**
     * Makes {@code node} the owner (next epoch) unless another live member owns the entry;
     * returns whether the session stays with {@code node}.
     */
    static final class Recover implements EntryProcessor<String, String, Boolean>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String node;
        private final Set<String> live;

        Recover(String node, Set<String> live) {
            this.node = node;
            this.live = live;
        }

        @Override
        public Boolean process(Map.Entry<String, String> entry) {
            String owner = entry.getValue();
            if (owner == null) {
                entry.setValue(node + " 1");
                return true;
            }
            String holder = owner.substring(0, owner.indexOf(' '));
            if (holder.equals(node)) {
                return true;
            }
            if (live.contains(holder)) {
                return false;
            }
            entry.setValue(node + " " + (Long.parseLong(owner.substring(owner.indexOf(' ') + 1)) + 1));
            return true;
        }
    }

    /** Matches the client ids a node owns. */
    static final class OwnedBy implements com.hazelcast.query.Predicate<String, String>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String prefix;

        OwnedBy(String node) {
            this.prefix = node + " ";
        }

        @Override
        public boolean apply(Map.Entry<String, String> entry) {
            return entry.getValue() != null && entry.getValue().startsWith(prefix);
        }
    }

    /** Makes {@code node} the owner (next epoch) only if {@code from} still owns the entry. */
    static final class ClaimFrom implements EntryProcessor<String, String, Boolean>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String from;
        private final String node;

        ClaimFrom(String from, String node) {
            this.from = from;
            this.node = node;
        }

        @Override
        public Boolean process(Map.Entry<String, String> entry) {
            String owner = entry.getValue();
            if (owner == null || !owner.startsWith(from + " ")) {
                return false;
            }
            entry.setValue(node + " " + (Long.parseLong(owner.substring(owner.indexOf(' ') + 1)) + 1));
            return true;
        }
    }

    /** Asks {@code from}, which handed {@code clientId}'s session over, for what reached it since. */
    CompletionStage<byte[]> release(String clientId, String from) {
        Member member = memberOf(from);
        if (member == null) {
            return CompletableFuture.completedFuture(null); // gone: its copy was in the cluster's, and went with the claim
        }
        CompletableFuture<byte[]> rest = call(member, new SessionCall(clientId, true));
        return rest.orTimeout(handOverTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on {@code member}, without blocking. */
    private CompletableFuture<byte[]> call(Member member, SessionCall task) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        hazelcast.getExecutorService(EXECUTOR).submitToMember(task, member, new ExecutionCallback<byte[]>() {
            @Override
            public void onResponse(byte[] state) {
                answer.complete(state);
            }

            @Override
            public void onFailure(Throwable t) {
                answer.completeExceptionally(t);
            }
        });
        return answer;
    }

    void released(String clientId) {
        map().submitToKey(clientId, new Disown(self)).exceptionally(e -> {
            LOG.debug("Could not release the ownership of '{}': {}", clientId, e.toString());
            return null;
        });
    }

    /** Completes once this node is not (or no longer) taking in the orphaned session of {@code clientId}. */
    CompletableFuture<Void> adoptionOf(String clientId) {
        CompletableFuture<Void> pending = adopting.get(clientId);
        return pending == null ? CompletableFuture.completedFuture(null) : pending;
    }

    long size() {
        return map().size();
    }

    private Member memberOf(String node) {
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (m.getUuid().toString().equals(node)) {
                return m;
            }
        }
        return null;
    }

    /** Makes a node the owner with the next epoch; returns the previous "node epoch", or null. */
    static final class Claim implements EntryProcessor<String, String, String>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String node;

        Claim(String node) {
            this.node = node;
        }

        @Override
        public String process(Map.Entry<String, String> entry) {
            String previous = entry.getValue();
            long epoch = previous == null ? 1 : Long.parseLong(previous.substring(previous.indexOf(' ') + 1)) + 1;
            entry.setValue(node + " " + epoch);
            return previous;
        }
    }

    /** Removes the ownership when it is still the given node's. */
    static final class Disown implements EntryProcessor<String, String, Void>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String node;

        Disown(String node) {
            this.node = node;
        }

        @Override
        public Void process(Map.Entry<String, String> entry) {
            String owner = entry.getValue();
            if (owner != null && owner.startsWith(node + " ")) {
                entry.setValue(null);
            }
            return null;
        }
    }

    /**
     * Runs on the node that had a session: it hands the session over, or ({@code rest}) gives
     * what reached it since and lets it go.
     */
    static final class SessionCall implements Callable<byte[]>, HazelcastInstanceAware, Serializable {
        private static final long serialVersionUID = 1L;
        private final String clientId;
        private final boolean rest;
        private transient HazelcastInstance hazelcast;

        SessionCall(String clientId, boolean rest) {
            this.clientId = clientId;
            this.rest = rest;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance instance) {
            this.hazelcast = instance;
        }

        @Override
        public byte[] call() throws Exception {
            SessionOwners owners = (SessionOwners) hazelcast.getUserContext().get(OWNERS);
            if (owners != null && !rest) {
                owners.adoptionOf(clientId).get(30, TimeUnit.SECONDS); // the session must be here first
            }
            ClusterNode node = (ClusterNode) hazelcast.getUserContext().get(NODE);
            if (node == null) {
                return null; // the broker here is stopping: nothing to hand over
            }
            return (rest ? node.release(clientId) : node.handOver(clientId)).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
