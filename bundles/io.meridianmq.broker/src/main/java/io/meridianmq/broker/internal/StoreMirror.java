package io.meridianmq.broker.internal;

import java.util.function.Consumer;

import io.meridianmq.storage.SessionStore;
import io.meridianmq.storage.StoredSubscription;

/**
 * The copy of one session's state in the durable store: writes about the session go through it
 * while the session is persistent, and stop for good once the session has left the registry
 * (retired), so that a session on its way out cannot disturb a successor with its client id.
 *
 * <p>{@link #persisted} is written by the session's thread and read by routing; writes are made
 * by the session's thread, {@link #retire} by whoever removes the session from the registry,
 * so the two exclude each other on the mirror's own monitor (no lock object of its own: one per
 * session adds up), which is never on the publish path of other sessions; nothing else locks a
 * mirror.
 */
final class StoreMirror {

    private final String clientId;
    private final SessionStore store;
    /** Gives the store keys of queued messages: unique and increasing over all sessions. */
    private final SessionContext core;
    /** Whether the session's state is in the store; written on the session's thread. */
    private volatile boolean persisted;
    /** Set under the mirror's monitor when the session left the registry: nothing is written after. */
    private boolean retired;

    StoreMirror(String clientId, SessionContext core) {
        this.clientId = clientId;
        this.store = core.store();
        this.core = core;
    }

    boolean persisted() {
        return persisted;
    }

    /** The session became persistent or stopped being so. Session thread. */
    void persisted(boolean now) {
        persisted = now;
    }

    /** Hands writes about this session to the store, unless it is not persistent or retired. */
    void write(Consumer<SessionStore.Batch> writes) {
        if (!persisted) {
            return;
        }
        synchronized (this) {
            if (!retired) {
                SessionStore.Batch batch = store.batch();
                writes.accept(batch);
                batch.submit();
            }
        }
    }

    /** The session left the registry (called under the registry lock): its stored state goes now. */
    void retire() {
        synchronized (this) {
            if (!retired) {
                retired = true;
                if (persisted) {
                    store.batch().removeSession(clientId).submit();
                }
            }
        }
    }

    /** A stored delivery that will not be sent (again) leaves the store. */
    void forget(Delivery d) {
        if (d.sequence != 0) {
            long sequence = d.sequence;
            d.sequence = 0;
            write(b -> b.removeMessage(clientId, sequence));
        }
    }

    /** Stores a QoS 1/2 delivery that reached the session without being stored on the way. */
    void store(Delivery d) {
        if (persisted && d.qos > 0 && d.sequence == 0) {
            d.sequence = core.nextSequence();
            write(b -> b.putMessage(clientId, d.sequence, d.toStored()));
        }
    }

    /** Adds a QoS 1/2 delivery to {@code b} under a new key (when the whole session is written). */
    void storeInto(SessionStore.Batch b, Delivery d) {
        if (d.qos > 0) {
            d.sequence = core.nextSequence();
            b.putMessage(clientId, d.sequence, d.toStored());
        }
    }

    static StoredSubscription stored(Subscription s) {
        return new StoredSubscription(s.filter(), s.shareName(), s.qos(), s.noLocal(), s.retainAsPublished(),
                s.subscriptionId());
    }
}
