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
        for (ReplicaChange c : lastOfEach(changes)) {
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
     * The changes of a batch that still matter at its end: a change to an entry that a later one
     * changes again, or of an incarnation removed later in the batch, is left out (two
     * asynchronous writes to one key are not ordered for sure).
     */
    private static List<ReplicaChange> lastOfEach(List<ReplicaChange> changes) {
        if (changes.size() == 1) {
            return changes;
        }
        java.util.Set<String> later = new java.util.HashSet<>();
        java.util.Set<String> removedLater = new java.util.HashSet<>();
        java.util.ArrayDeque<ReplicaChange> kept = new java.util.ArrayDeque<>(changes.size());
        for (int i = changes.size() - 1; i >= 0; i--) {
            ReplicaChange c = changes.get(i);
            String incarnation = c.clientId() + "\u0000" + c.incarnation();
            if (c.key() == null) {
                if (removedLater.add(incarnation)) {
                    kept.addFirst(c);
                }
            } else if (!removedLater.contains(incarnation) && later.add(incarnation + "\u0000" + c.key())) {
                kept.addFirst(c);
            }
        }
        return new ArrayList<>(kept);
    }

    /** Orders incarnations ({@code START-COUNTER}, both hexadecimal/decimal numbers) oldest first. */
    static int compareIncarnations(String a, String b) {
        int da = a.lastIndexOf('-');
        int db = b.lastIndexOf('-');
        try {
            int byStart = Long.compare(Long.parseLong(a.substring(0, da), 16), Long.parseLong(b.substring(0, db), 16));
            return byStart != 0 ? byStart : Long.compare(Long.parseLong(a.substring(da + 1)),
                    Long.parseLong(b.substring(db + 1)));
        } catch (RuntimeException notOurs) {
            return a.compareTo(b);
        }
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
            String newest = null;
            for (Map.Entry<String, Map<String, byte[]>> e : byIncarnation.entrySet()) {
                if (e.getValue().containsKey(HEADER)
                        && (newest == null || compareIncarnations(e.getKey(), newest) > 0)) {
                    if (newest != null) {
                        LOG.info("Client '{}': an older copy of its session was left in the cluster; the newest is "
                                + "taken", clientId);
                    }
                    newest = e.getKey();
                    found = e.getValue();
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
