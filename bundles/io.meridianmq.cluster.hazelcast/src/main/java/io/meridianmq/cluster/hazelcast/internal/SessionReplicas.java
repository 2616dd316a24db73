package io.meridianmq.cluster.hazelcast.internal;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;

import io.meridianmq.cluster.ReplicaChange;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's copy of every persistent session, so that a session outlives the death of its
 * node: a partitioned map whose entries are held by their owner member and {@code backup_count}
 * others, a write completing only once the backups have it. Each entry is its own key
 * ({@code name.incarnation@clientId}), so writes to one entry apply in the order they were made;
 * a session's entries are found again by a query (only when its node died).
 *
 * <p>Thread-safe; writes never block (asynchronous map operations, issued in the caller's order);
 * reads and sweeps run on {@code background}.
 */
final class SessionReplicas {

    private static final Logger LOG = LoggerFactory.getLogger(SessionReplicas.class);
    static final String MAP = "meridian.replica";
    private static final String HEADER = "s";

    private final HazelcastInstance hazelcast;
    private final Executor background;

    SessionReplicas(HazelcastInstance hazelcast, Executor background) {
        this.hazelcast = hazelcast;
        this.background = background;
    }

    private IMap<String, byte[]> map() {
        return hazelcast.getMap(MAP);
    }

    static String key(String clientId, String incarnation, String key) {
        String name = Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
        return name + "." + incarnation + "@" + clientId;
    }

    private static String nameOf(String mapKey) {
        String name = mapKey.substring(0, mapKey.indexOf('.'));
        return new String(Base64.getUrlDecoder().decode(name), StandardCharsets.UTF_8);
    }

    private static String incarnationOf(String mapKey) {
        return mapKey.substring(mapKey.indexOf('.') + 1, mapKey.indexOf('@'));
    }

    CompletionStage<Void> replicate(List<ReplicaChange> changes) {
        IMap<String, byte[]> map = map();
        List<CompletableFuture<?>> writes = new ArrayList<>(changes.size());
        for (ReplicaChange c : changes) {
            if (c.key() == null) {
                // the header first, in order with what follows; the rest of the incarnation later
                writes.add(map.deleteAsync(key(c.clientId(), c.incarnation(), HEADER)).toCompletableFuture());
                background.execute(() -> sweep(c.clientId(), c.incarnation()));
            } else if (c.value() == null) {
                writes.add(map.deleteAsync(key(c.clientId(), c.incarnation(), c.key())).toCompletableFuture());
            } else {
                writes.add(map.setAsync(key(c.clientId(), c.incarnation(), c.key()), c.value()).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /**
     * Takes the copy of {@code clientId}'s session (its node is gone): the entries of the
     * incarnation with a header, by name; then every entry of the client leaves the map. Null when
     * there is none.
     */
    CompletionStage<Map<String, byte[]>> take(String clientId) {
        return CompletableFuture.supplyAsync(() -> {
            IMap<String, byte[]> map = map();
            Map<String, Map<String, byte[]>> byIncarnation = new HashMap<>();
            List<String> keys = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : map.entrySet(of(clientId, null))) {
                keys.add(e.getKey());
                byIncarnation.computeIfAbsent(incarnationOf(e.getKey()), k -> new HashMap<>())
                        .put(nameOf(e.getKey()), e.getValue());
            }
            Map<String, byte[]> found = null;
            for (Map<String, byte[]> entries : byIncarnation.values()) {
                if (entries.containsKey(HEADER)) {
                    if (found != null) {
                        LOG.warn("Client '{}': two copies of its session in the cluster; taking one", clientId);
                    }
                    found = entries;
                }
            }
            keys.forEach(map::delete);
            return found;
        }, background);
    }

    private void sweep(String clientId, String incarnation) {
        try {
            IMap<String, byte[]> map = map();
            map.keySet(of(clientId, incarnation)).forEach(map::delete);
        } catch (RuntimeException e) {
            LOG.debug("Left-over entries of the session of '{}' stay in the cluster for now: {}", clientId,
                    e.toString());
        }
    }

    long size() {
        return map().size();
    }

    /**
     * The entries of one client (one incarnation of its session, or all). A query over every
     * partition; taking a session back happens only when its node died.
     */
    private static Predicate<String, byte[]> of(String clientId, String incarnation) {
        return new EntriesOf(clientId, incarnation);
    }

    /** Matches the entries of one client's session copy (of one incarnation, or all). */
    static final class EntriesOf implements Predicate<String, byte[]>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String suffix;
        private final String incarnation;

        EntriesOf(String clientId, String incarnation) {
            this.suffix = "@" + clientId;
            this.incarnation = incarnation == null ? null : "." + incarnation + "@";
        }

        @Override
        public boolean apply(Map.Entry<String, byte[]> entry) {
            String key = entry.getKey();
            return key.endsWith(suffix) && (incarnation == null || key.contains(incarnation))
                    && key.indexOf('@') == key.length() - suffix.length();
        }
    }
}
