package io.meridianmq.storage.memory.internal;

import java.util.function.Consumer;

import io.meridianmq.storage.NoWrites;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.SessionStore;

/**
 * The session store of {@code persistence = false}: sessions live in the broker's memory only,
 * so there is nothing to write and nothing to wait for.
 */
public final class TransientSessionStore implements SessionStore {

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public Batch batch() {
        return NoWrites.INSTANCE;
    }

    @Override
    public void whenDurable(Runnable action) {
        action.run();
    }

    @Override
    public void load(long[] sequences, Consumer<java.util.Map<Long, io.meridianmq.storage.StoredMessage>> then) {
        then.accept(java.util.Map.of()); // nothing is kept
    }

    @Override
    public long recover(Consumer<RecoveredSession> consumer) {
        return 0;
    }
}
