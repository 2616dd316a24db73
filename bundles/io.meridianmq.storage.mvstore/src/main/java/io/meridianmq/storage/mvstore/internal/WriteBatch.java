package io.meridianmq.storage.mvstore.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.meridianmq.storage.SessionStore.Batch;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredSubscription;
import io.meridianmq.storage.StoredWill;

/**
 * Writes that are applied together: each is kept as an action on the open file's
 * {@link StoreTables}, which the store's writer thread applies (again, after a failed commit).
 *
 * <p>Threading: filled by one caller, then handed to the writer by {@link #submit}; from then on
 * the writer's only.
 */
final class WriteBatch implements Batch {

    final List<Consumer<StoreTables>> ops = new ArrayList<>(4);
    /** Runs once the batch is durable (the retained overlay's entry goes); may be null. */
    Runnable afterDurable;
    /** Where {@link #submit} hands the batch: the store's writer queue. */
    private final Consumer<WriteBatch> writer;

    WriteBatch(Consumer<WriteBatch> writer) {
        this.writer = writer;
    }

    Batch add(Consumer<StoreTables> op) {
        ops.add(op);
        return this;
    }

    void durable() {
        if (afterDurable != null) {
            afterDurable.run();
        }
    }

    @Override
    public Batch putSession(String clientId, long expirySeconds, long disconnectedAtMillis, String owner) {
        return add(t -> t.sessions.put(clientId, RecordCodec.session(expirySeconds, disconnectedAtMillis, owner)));
    }

    @Override
    public Batch removeSession(String clientId) {
        return add(t -> t.deleteSession(clientId));
    }

    @Override
    public Batch putSubscription(String clientId, StoredSubscription subscription) {
        return add(t -> t.subscriptions.put(StoreTables.key(clientId, subscription.key()),
                RecordCodec.subscription(subscription)));
    }

    @Override
    public Batch removeSubscription(String clientId, String key) {
        return add(t -> t.subscriptions.remove(StoreTables.key(clientId, key)));
    }

    @Override
    public Batch putMessage(String clientId, long sequence, StoredMessage message) {
        return add(t -> t.messages.put(clientId, sequence, message));
    }

    @Override
    public Batch updateMessage(String clientId, long sequence, int packetId, boolean released) {
        return add(t -> t.messages.update(sequence, RecordCodec.messageState(packetId, released)));
    }

    @Override
    public Batch removeMessage(String clientId, long sequence) {
        return add(t -> t.messages.remove(clientId, sequence));
    }

    @Override
    public Batch addIncomingQos2(String clientId, int packetId) {
        return add(t -> t.putIncomingQos2(clientId, packetId));
    }

    @Override
    public Batch removeIncomingQos2(String clientId, int packetId) {
        return add(t -> t.removeIncomingQos2(clientId, packetId));
    }

    @Override
    public Batch putWill(String clientId, StoredWill will) {
        return add(t -> t.wills.put(clientId, RecordCodec.will(will)));
    }

    @Override
    public Batch removeWill(String clientId) {
        return add(t -> t.wills.remove(clientId));
    }

    @Override
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    @Override
    public void submit() {
        if (!ops.isEmpty()) {
            writer.accept(this);
        }
    }
}
