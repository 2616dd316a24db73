package io.meridianmq.cluster.hazelcast.internal;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
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

    private final String self;
    private final HazelcastInstance hazelcast;
    private final Duration handOverTimeout;

    SessionOwners(String self, HazelcastInstance hazelcast, Duration handOverTimeout) {
        this.self = self;
        this.hazelcast = hazelcast;
        this.handOverTimeout = handOverTimeout;
    }

    private IMap<String, String> map() {
        return hazelcast.getMap(MAP);
    }

    CompletionStage<byte[]> claim(String clientId) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        map().submitToKey(clientId, new Claim(self)).whenComplete((previous, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
                return;
            }
            String owner = previous == null ? null : previous.substring(0, previous.indexOf(' '));
            Member member = owner == null || owner.equals(self) ? null : memberOf(owner);
            if (member == null) {
                result.complete(null); // new, already here, or its node is gone
                return;
            }
            hazelcast.getExecutorService(EXECUTOR).submitToMember(new HandOver(clientId), member,
                    new ExecutionCallback<byte[]>() {
                        @Override
                        public void onResponse(byte[] state) {
                            result.complete(state);
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            result.completeExceptionally(t);
                        }
                    });
        });
        return result.orTimeout(handOverTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void released(String clientId) {
        map().submitToKey(clientId, new Release(self)).exceptionally(e -> {
            LOG.debug("Could not release the ownership of '{}': {}", clientId, e.toString());
            return null;
        });
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
    static final class Release implements EntryProcessor<String, String, Void>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String node;

        Release(String node) {
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

    /** Runs on the node that had the session: it hands the session over. */
    static final class HandOver implements Callable<byte[]>, HazelcastInstanceAware, Serializable {
        private static final long serialVersionUID = 1L;
        private final String clientId;
        private transient HazelcastInstance hazelcast;

        HandOver(String clientId) {
            this.clientId = clientId;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance instance) {
            this.hazelcast = instance;
        }

        @Override
        public byte[] call() throws Exception {
            ClusterNode node = (ClusterNode) hazelcast.getUserContext().get(NODE);
            if (node == null) {
                return null; // the broker here is stopping: nothing to hand over
            }
            return node.handOver(clientId).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
