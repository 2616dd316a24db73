package io.meridianmq.cluster.hazelcast.internal;

import java.util.UUID;
import java.util.concurrent.Executor;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;

import io.meridianmq.cluster.ClusterNode;

/**
 * Retained messages cluster-wide: a replicated map by topic (every member holds all of it, so a
 * retained message survives the loss of any one member), each change applied to every other
 * node's own retained store. A node that joins takes what the cluster holds.
 *
 * <p>Thread-safe: changes from the broker are written in order on {@code writes}; events arrive
 * on Hazelcast's event threads.
 */
final class RetainedReplica implements EntryListener<String, byte[]> {

    static final String MAP = "meridian.retained";

    private final HazelcastInstance hazelcast;
    private final Executor writes;
    /** The broker told of changes; set while it uses the fabric. */
    private volatile ClusterNode node;
    private UUID listener; // written at start and stop, by the component's thread

    RetainedReplica(HazelcastInstance hazelcast, Executor writes) {
        this.hazelcast = hazelcast;
        this.writes = writes;
    }

    private ReplicatedMap<String, byte[]> map() {
        return hazelcast.getReplicatedMap(MAP);
    }

    void start(ClusterNode target) {
        node = target;
        listener = map().addEntryListener(this);
        map().forEach(target::retainedChanged);
    }

    void stop() {
        node = null;
        if (listener != null) {
            map().removeEntryListener(listener);
            listener = null;
        }
    }

    void changed(String topic, byte[] message) {
        writes.execute(() -> {
            if (message == null) {
                map().remove(topic);
            } else {
                map().put(topic, message);
            }
        });
    }

    long size() {
        return map().size();
    }

    private void apply(EntryEvent<String, byte[]> event, byte[] message) {
        ClusterNode target = node;
        if (target != null && !event.getMember().localMember()) {
            target.retainedChanged(event.getKey(), message);
        }
    }

    @Override
    public void entryAdded(EntryEvent<String, byte[]> event) {
        apply(event, event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, byte[]> event) {
        apply(event, event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, byte[]> event) {
        apply(event, null);
    }

    @Override
    public void entryEvicted(EntryEvent<String, byte[]> event) {
        apply(event, null);
    }

    @Override
    public void entryExpired(EntryEvent<String, byte[]> event) {
        apply(event, null);
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
