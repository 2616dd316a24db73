package io.meridianmq.cluster.hazelcast.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Executor;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;

/**
 * The cluster-wide route table: a replicated map (every member holds all of it, so losing any
 * one member loses no route) with one entry per (node, route), mirrored into each member's
 * {@link RouteTrie} for matching. A node's entries go when it leaves.
 *
 * <p>Thread-safe: changes from the broker are gathered (the latest per route) and written in
 * batches on {@code writes} (they may block on the network); the map's events arrive on
 * Hazelcast's event threads.
 */
final class RouteReplica implements EntryListener<String, String> {

    static final String MAP = "meridian.routes";

    private final String self;
    private final HazelcastInstance hazelcast;
    private final RouteTrie trie;
    private final Executor writes;
    private UUID listener; // written at start and stop, by the component's thread

    RouteReplica(String self, HazelcastInstance hazelcast, RouteTrie trie, Executor writes) {
        this.self = self;
        this.hazelcast = hazelcast;
        this.trie = trie;
        this.writes = writes;
    }

    private ReplicatedMap<String, String> map() {
        return hazelcast.getReplicatedMap(MAP);
    }

    /** Follows the map, and reads what it already holds (adding twice is harmless). */
    void start() {
        listener = map().addEntryListener(this);
        map().forEach((key, route) -> trie.add(nodeOf(key), route));
    }

    void stop() {
        if (listener != null) {
            map().removeEntryListener(listener);
            listener = null;
        }
        ReplicatedMap<String, String> m = map();
        m.keySet().stream().filter(k -> nodeOf(k).equals(self)).forEach(m::remove);
    }

    /**
     * Route changes not yet written, the latest per route (true: added): bounded by the routes
     * themselves, however fast subscriptions come and go.
     */
    private final ConcurrentHashMap<String, Boolean> unwritten = new ConcurrentHashMap<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    void added(String route) {
        unwritten.put(route, Boolean.TRUE);
        flushSoon();
    }

    void removed(String route) {
        unwritten.put(route, Boolean.FALSE);
        flushSoon();
    }

    private void flushSoon() {
        if (flushing.compareAndSet(false, true)) {
            writes.execute(this::flush);
        }
    }

    /** Writes what changed since the last flush: the additions in one putAll, then each removal. */
    private void flush() {
        flushing.set(false);
        Map<String, String> puts = new HashMap<>();
        List<String> removals = new ArrayList<>();
        for (Map.Entry<String, Boolean> e : unwritten.entrySet()) {
            String route = e.getKey();
            Boolean added = e.getValue();
            if (!unwritten.remove(route, added)) {
                continue; // changed meanwhile: the next flush writes its latest state
            }
            if (added) {
                puts.put(key(self, route), route);
            } else {
                removals.add(key(self, route));
            }
        }
        ReplicatedMap<String, String> map = map();
        if (!puts.isEmpty()) {
            map.putAll(puts);
        }
        removals.forEach(map::remove);
    }

    /** A member left: its routes go from the trie now, and from the map (every member tries; harmless). */
    void memberLeft(String node) {
        writes.execute(() -> {
            ReplicatedMap<String, String> m = map();
            m.entrySet().stream().filter(e -> nodeOf(e.getKey()).equals(node)).toList().forEach(e -> {
                trie.remove(node, e.getValue());
                m.remove(e.getKey());
            });
        });
    }

    private static String key(String node, String route) {
        return node + " " + route; // a node id has no space
    }

    private static String nodeOf(String key) {
        return key.substring(0, key.indexOf(' '));
    }

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
        trie.add(nodeOf(event.getKey()), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
        trie.add(nodeOf(event.getKey()), event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
        String route = event.getOldValue() != null ? event.getOldValue()
                : event.getKey().substring(event.getKey().indexOf(' ') + 1);
        trie.remove(nodeOf(event.getKey()), route);
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
        entryRemoved(event);
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
        entryRemoved(event);
    }

    @Override
    public void mapCleared(MapEvent event) {
        // never cleared by Meridian
    }

    @Override
    public void mapEvicted(MapEvent event) {
        // never evicted by Meridian
    }
}
