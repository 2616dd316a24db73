package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.meridianmq.cluster.ClusterFabric;
import io.meridianmq.cluster.ReplicaChange;
import io.meridianmq.storage.BucketCounts;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.SessionStore;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredSubscription;
import io.meridianmq.storage.StoredWill;

/**
 * This node's session store, and in a cluster the cluster's copy of every persistent session as
 * well: each batch is written to the local store and its changes sent to the cluster, and an
 * acknowledgement waits for both ({@link #whenDurableOrFailed}), so that a message acknowledged
 * for a persistent session is on this node's disk and held by two nodes of the cluster. On a
 * single node it is the local store and nothing more (one volatile read per batch).
 *
 * <p>Thread-safe, like the store it wraps.
 */
final class ReplicatingStore implements SessionStore {

    private final SessionStore local;
    private final ClusterLink cluster;
    private final ReplicationProgress progress = new ReplicationProgress();
    /** The incarnation of each session written to the cluster: a removed session's successor gets a new one. */
    private final ConcurrentHashMap<String, String> incarnations = new ConcurrentHashMap<>();
    private final String prefix = Long.toHexString(System.currentTimeMillis()) + "-";
    private final AtomicLong counter = new AtomicLong();

    ReplicatingStore(SessionStore local, ClusterLink cluster) {
        this.local = local;
        this.cluster = cluster;
    }

    @Override
    public BucketCounts commitLatency() {
        return local.commitLatency();
    }

    @Override
    public BucketCounts commitBatchSize() {
        return local.commitBatchSize();
    }

    @Override
    public boolean durable() {
        return local.durable();
    }

    @Override
    public Batch batch() {
        ClusterFabric fabric = cluster.fabric();
        return fabric == null ? local.batch() : new ReplicatedBatch(local.batch(), fabric);
    }

    /**
     * A batch whose changes go to the cluster only (this node's store has them already), or one
     * that writes nothing on a single node.
     */
    Batch clusterOnly() {
        ClusterFabric fabric = cluster.fabric();
        return fabric == null ? io.meridianmq.storage.NoWrites.INSTANCE
                : new ReplicatedBatch(io.meridianmq.storage.NoWrites.INSTANCE, fabric);
    }

    @Override
    public void whenDurable(Runnable action) {
        whenDurableOrFailed(action, action);
    }

    @Override
    public void whenDurableOrFailed(Runnable onDurable, Runnable onFailed) {
        if (progress.idle()) {
            local.whenDurableOrFailed(onDurable, onFailed);
            return;
        }
        // both: on this node's disk, and confirmed by the cluster
        progress.whenConfirmed(() -> local.whenDurableOrFailed(onDurable, onFailed), onFailed);
    }

    @Override
    public boolean failing() {
        return local.failing();
    }

    @Override
    public long failedCommits() {
        return local.failedCommits();
    }

    @Override
    public void load(long[] sequences, Consumer<java.util.Map<Long, StoredMessage>> then) {
        local.load(sequences, then);
    }

    @Override
    public long recover(Consumer<RecoveredSession> consumer) {
        return local.recover(consumer);
    }

    /**
     * Runs {@code onDurable} once what {@code batch} (submitted) wrote is on this node's disk and,
     * in a cluster, held by the cluster, {@code onFailed} if either failed. Unlike
     * {@link #whenDurableOrFailed} it waits for nothing else the cluster has yet to confirm: a
     * node confirming another's message must never wait for that node (they would wait in a
     * circle).
     */
    void whenWritten(Batch batch, Runnable onDurable, Runnable onFailed) {
        if (!(batch instanceof ReplicatedBatch r) || r.awaited.isEmpty()) {
            local.whenDurableOrFailed(onDurable, onFailed);
            return;
        }
        List<java.util.concurrent.CompletableFuture<Boolean>> all = r.awaited;
        java.util.concurrent.CompletableFuture.allOf(all.toArray(java.util.concurrent.CompletableFuture[]::new))
                .whenComplete((done, failure) -> {
                    if (failure == null && all.stream().allMatch(f -> Boolean.TRUE.equals(f.join()))) {
                        local.whenDurableOrFailed(onDurable, onFailed);
                    } else {
                        onFailed.run();
                    }
                });
    }

    /**
     * The message routed with {@code batch} also went to other nodes: acknowledgements wait until
     * they hold it ({@code stored}), and the batch counts as a write to wait for.
     */
    void awaitRemote(Batch batch, java.util.concurrent.CompletionStage<Boolean> stored) {
        if (batch instanceof ReplicatedBatch replicated) {
            replicated.awaitsRemote = true;
            replicated.awaited.add(stored.toCompletableFuture());
        }
        long n = progress.begin();
        stored.whenComplete((ok, failure) -> progress.completed(n, failure == null && Boolean.TRUE.equals(ok)));
    }

    /** Batches and forwarded messages the cluster has yet to confirm (the replication backlog). */
    long pending() {
        return progress.pending();
    }

    private String incarnation(String clientId) {
        return incarnations.computeIfAbsent(clientId, k -> prefix + counter.incrementAndGet());
    }

    /** A batch for the local store whose changes also go to the cluster when submitted. */
    private final class ReplicatedBatch implements Batch {
        private final Batch batch;
        private final ClusterFabric fabric;
        private final List<ReplicaChange> changes = new ArrayList<>(4);
        /** Set by routing when the message also went to other nodes (the publisher's thread). */
        boolean awaitsRemote;
        /**
         * What the batch's writers wait for besides this node's disk: the cluster's confirmation of
         * its changes and of the message's copies on other nodes (each true when done). Added to
         * before and at submit, read after (the publisher's thread, then any).
         */
        final List<java.util.concurrent.CompletableFuture<Boolean>> awaited =
                new java.util.concurrent.CopyOnWriteArrayList<>();

        ReplicatedBatch(Batch batch, ClusterFabric fabric) {
            this.batch = batch;
            this.fabric = fabric;
        }

        private void set(String clientId, String key, byte[] value) {
            changes.add(new ReplicaChange(clientId, incarnation(clientId), key, value));
        }

        @Override
        public Batch putSession(String clientId, long expirySeconds, long disconnectedAtMillis, String owner) {
            batch.putSession(clientId, expirySeconds, disconnectedAtMillis, owner);
            set(clientId, ReplicaKeys.SESSION, ClusterCodec.header(expirySeconds, disconnectedAtMillis, owner));
            return this;
        }

        @Override
        public Batch removeSession(String clientId) {
            batch.removeSession(clientId);
            String gone = incarnations.remove(clientId);
            if (gone != null) {
                changes.add(new ReplicaChange(clientId, gone, null, null));
            }
            return this;
        }

        @Override
        public Batch putSubscription(String clientId, StoredSubscription subscription) {
            batch.putSubscription(clientId, subscription);
            set(clientId, ReplicaKeys.subscription(AnnouncedRoutes.route(subscription.filter(),
                    subscription.shareName())), ClusterCodec.subscription(subscription));
            return this;
        }

        @Override
        public Batch removeSubscription(String clientId, String key) {
            batch.removeSubscription(clientId, key);
            set(clientId, ReplicaKeys.subscription(key), null);
            return this;
        }

        @Override
        public Batch putMessage(String clientId, long sequence, StoredMessage message) {
            batch.putMessage(clientId, sequence, message);
            set(clientId, ReplicaKeys.message(sequence), ClusterCodec.stored(message));
            return this;
        }

        @Override
        public Batch updateMessage(String clientId, long sequence, int packetId, boolean released) {
            batch.updateMessage(clientId, sequence, packetId, released);
            set(clientId, ReplicaKeys.delivery(sequence), ClusterCodec.delivery(packetId, released));
            return this;
        }

        @Override
        public Batch removeMessage(String clientId, long sequence) {
            batch.removeMessage(clientId, sequence);
            set(clientId, ReplicaKeys.message(sequence), null);
            set(clientId, ReplicaKeys.delivery(sequence), null);
            return this;
        }

        @Override
        public Batch addIncomingQos2(String clientId, int packetId) {
            batch.addIncomingQos2(clientId, packetId);
            set(clientId, ReplicaKeys.incomingQos2(packetId), new byte[] {1});
            return this;
        }

        @Override
        public Batch removeIncomingQos2(String clientId, int packetId) {
            batch.removeIncomingQos2(clientId, packetId);
            set(clientId, ReplicaKeys.incomingQos2(packetId), null);
            return this;
        }

        @Override
        public Batch putWill(String clientId, StoredWill will) {
            batch.putWill(clientId, will);
            set(clientId, ReplicaKeys.WILL, ClusterCodec.storedWill(will));
            return this;
        }

        @Override
        public Batch removeWill(String clientId) {
            batch.removeWill(clientId);
            set(clientId, ReplicaKeys.WILL, null);
            return this;
        }

        @Override
        public boolean isEmpty() {
            return batch.isEmpty() && !awaitsRemote;
        }

        @Override
        public void submit() {
            if (!changes.isEmpty()) {
                long n = progress.begin();
                java.util.concurrent.CompletableFuture<Boolean> done = new java.util.concurrent.CompletableFuture<>();
                awaited.add(done);
                fabric.replicate(List.copyOf(changes)).whenComplete((ok, failure) -> {
                    progress.completed(n, failure == null);
                    done.complete(failure == null);
                });
            }
            batch.submit();
        }
    }
}
