package io.meridianmq.storage;

/**
 * A batch that keeps nothing: what a store that is not durable hands out, and what the broker
 * writes to for sessions that are not persistent.
 */
public final class NoWrites implements SessionStore.Batch {

    /** The only instance; stateless and safe to share between threads. */
    public static final NoWrites INSTANCE = new NoWrites();

    private NoWrites() {
    }

    @Override
    public SessionStore.Batch putSession(String clientId, long expirySeconds, long disconnectedAtMillis,
            String owner) {
        return this;
    }

    @Override
    public SessionStore.Batch removeSession(String clientId) {
        return this;
    }

    @Override
    public SessionStore.Batch putSubscription(String clientId, StoredSubscription subscription) {
        return this;
    }

    @Override
    public SessionStore.Batch removeSubscription(String clientId, String key) {
        return this;
    }

    @Override
    public SessionStore.Batch putMessage(String clientId, long sequence, StoredMessage message) {
        return this;
    }

    @Override
    public SessionStore.Batch updateMessage(String clientId, long sequence, int packetId, boolean released) {
        return this;
    }

    @Override
    public SessionStore.Batch removeMessage(String clientId, long sequence) {
        return this;
    }

    @Override
    public SessionStore.Batch addIncomingQos2(String clientId, int packetId) {
        return this;
    }

    @Override
    public SessionStore.Batch removeIncomingQos2(String clientId, int packetId) {
        return this;
    }

    @Override
    public SessionStore.Batch putWill(String clientId, StoredWill will) {
        return this;
    }

    @Override
    public SessionStore.Batch removeWill(String clientId) {
        return this;
    }

    @Override
    public boolean isEmpty() {
        return true;
    }

    @Override
    public void submit() {
        // nothing kept
    }
}
