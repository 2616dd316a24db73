package io.meridianmq.cluster.hazelcast.internal;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wills of the clients connected to each node, kept by the cluster so that a node's death
 * does not take its clients' wills with it: a partitioned map with {@code backup_count} backups,
 * one entry per node and client ({@code node/clientId}), so two nodes never overwrite each
 * other's entry for one client id during a takeover. The node that takes a dead node's sessions
 * over takes its wills too.
 *
 * <p>Thread-safe; writes never block (asynchronous map operations); {@link #takeOrphans} blocks
 * on the network and runs on a background thread.
 */
final class LiveWills {

    private static final Logger LOG = LoggerFactory.getLogger(LiveWills.class);
    static final String MAP = "meridian.wills";

    private final String self;
    private final HazelcastInstance hazelcast;

    LiveWills(String self, HazelcastInstance hazelcast) {
        this.self = self;
        this.hazelcast = hazelcast;
    }

    private IMap<String, byte[]> map() {
        return hazelcast.getMap(MAP);
    }

    /** A client connected here with {@code will}, or (null) the will of its connection was decided here. */
    void changed(String clientId, byte[] will) {
        try {
            if (will == null) {
                map().deleteAsync(self + "/" + clientId);
            } else {
                map().setAsync(self + "/" + clientId, will);
            }
        } catch (RuntimeException e) { // no quorum: the client is refused anyway, or its will stays with this node
            LOG.debug("The will of client '{}' is not kept by the cluster: {}", clientId, e.toString());
        }
    }

    /**
     * Hands each will of a client that was connected to the dead node {@code departed} to
     * {@code publish} (client id, will), and removes them from the map.
     *
     * @return how many there were
     */
    int takeOrphans(String departed, BiConsumer<String, byte[]> publish) {
        IMap<String, byte[]> map = map();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : map.entrySet(new OfNode(departed))) {
            keys.add(e.getKey());
            try {
                publish.accept(e.getKey().substring(departed.length() + 1), e.getValue());
            } catch (RuntimeException failed) {
                LOG.error("The will of client '{}' (node {} left) could not be published: {}",
                        e.getKey().substring(departed.length() + 1), departed, failed.toString());
            }
        }
        keys.forEach(map::delete);
        return keys.size();
    }

    long size() {
        return map().size();
    }

    /** Matches the wills kept for one node's clients. */
    static final class OfNode implements Predicate<String, byte[]>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String prefix;

        OfNode(String node) {
            this.prefix = node + "/";
        }

        @Override
        public boolean apply(Map.Entry<String, byte[]> entry) {
            return entry.getKey().startsWith(prefix);
        }
    }
}
