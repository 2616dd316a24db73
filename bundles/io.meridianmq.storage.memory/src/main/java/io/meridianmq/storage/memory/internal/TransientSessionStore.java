package io.meridianmq.storage.memory.internal;

import java.util.function.Consumer;

import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.SessionStore;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredSubscription;
import io.meridianmq.storage.StoredWill;

/**
 * The session store of {@code persistence = false}: sessions live in the broker's memory only,
 * so there is nothing to write and nothing to wait for.
 */
public final class TransientSessionStore implements SessionStore {

    private static final Batch NOTHING = new Batch() {
        @Override
        public Batch putSession(String clientId, long expirySeconds, long disconnectedAtMillis) {
            return this;
        }

        @Override
        public Batch removeSession(String clientId) {
            return this;
        }

        @Override
        public Batch putSubscription(String clientId, StoredSubscription subscription) {
            return this;
        }

        @Override
        public Batch removeSubscription(String clientId, String key) {
            return this;
        }

        @Override
        public Batch putMessage(String clientId, long sequence, StoredMessage message) {
            return this;
        }

        @Override
        public Batch updateMessage(String clientId, long sequence, int packetId, boolean released) {
            return this;
        }

        @Override
        public Batch removeMessage(String clientId, long sequence) {
            return this;
        }

        @Override
        public Batch addIncomingQos2(String clientId, int packetId) {
            return this;
        }

        @Override
        public Batch removeIncomingQos2(String clientId, int packetId) {
            return this;
        }

        @Override
        public Batch putWill(String clientId, StoredWill will) {
            return this;
        }

        @Override
        public Batch removeWill(String clientId) {
            return this;
        }

        @Override
        public void submit() {
            // nothing kept
        }
    };

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public Batch batch() {
        return NOTHING;
    }

    @Override
    public void whenDurable(Runnable action) {
        action.run();
    }

    @Override
    public long recover(Consumer<RecoveredSession> consumer) {
        return 0;
    }
}
