package io.meridianmq.broker.internal;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.WillMessage;
import io.meridianmq.storage.StoredWill;

/**
 * A session's two timers: its expiry once the client has left, and a will held back for its
 * delay (MQTT 5 Will Delay Interval), kept in the store meanwhile so that a restart still sends it.
 *
 * <p>Threading: the session's thread only; the timers fire on the core's timer thread and hand
 * their work back to the session (or to the registry, which asks the session).
 */
final class SessionTimers {

    private final Session session;
    private final SessionContext core;
    private final StoreMirror mirror;

    private ScheduledFuture<?> expiry;
    private WillMessage pendingWill;
    private ClientIdentity pendingWillOwner;
    private ScheduledFuture<?> willTimer;
    /** When the held-back will is due (epoch millis); session thread. */
    private long willDueAt;

    SessionTimers(Session session, SessionContext core, StoreMirror mirror) {
        this.session = session;
        this.core = core;
        this.mirror = mirror;
    }

    /** The session expires after {@code delay} unless a connection comes back first. */
    void expireAfter(long delay, TimeUnit unit) {
        expiry = core.schedule(() -> core.expired(session), delay, unit);
    }

    /** A connection came back: the expiry stops, and a delayed will is cancelled (also in the store). */
    void connected() {
        stop();
        if (pendingWill != null) {
            pendingWill = null;
            mirror.write(b -> b.removeWill(session.clientId));
        }
    }

    /** The session ends: the timers stop, and a will still held back is published now. */
    void sessionEnded() {
        stop();
        WillMessage will = pendingWill;
        if (will != null) {
            pendingWill = null;
            core.publishWill(pendingWillOwner, will);
        }
    }

    /** The session moves to another node: a delayed will is not this node's to send any more. */
    void forgetWill() {
        pendingWill = null;
        pendingWillOwner = null;
    }

    /** Writes the will held back, if any, into {@code b}. */
    void copyWill(io.meridianmq.storage.SessionStore.Batch b) {
        WillMessage will = pendingWill;
        if (will != null) {
            b.putWill(session.clientId, new StoredWill(will.topic(), will.payload(), will.qos(), will.retain(),
                    PropertiesInStore.toStore(will.properties()), will.messageExpirySeconds(), willDueAt,
                    pendingWillOwner.username().orElse(null)));
        }
    }

    /** Holds {@code will} until its delay passes (then publishes it) or the session ends. */
    void delayWill(ClientIdentity owner, WillMessage will) {
        pendingWill = will;
        pendingWillOwner = owner;
        willDueAt = System.currentTimeMillis() + will.delaySeconds() * 1000L;
        mirror.write(b -> copyWill(b));
        willTimer = core.schedule(() -> session.submit(() -> {
            if (pendingWill == will) {
                pendingWill = null;
                willTimer = null;
                mirror.write(b -> b.removeWill(session.clientId));
                core.publishWill(owner, will);
            }
        }), will.delaySeconds(), TimeUnit.SECONDS);
    }

    /**
     * A will kept in the store through a restart: held back for the rest of its delay (sent at
     * once when that has passed). The connection is long gone: 0.0.0.0:0 stands for "address
     * unknown" (never null for plugins).
     */
    void restoreWill(StoredWill w, long nowMillis) {
        ClientIdentity owner = new ClientIdentity(session.clientId, new InetSocketAddress(0), "(restored)", 5,
                Optional.ofNullable(w.username()));
        delayWill(owner, new WillMessage(w.topic(), w.payload(), w.qos(), w.retain(),
                PropertiesInStore.fromStore(w.properties()), Math.max(0, (w.dueAtMillis() - nowMillis + 999) / 1000),
                w.messageExpirySeconds()));
    }

    private void stop() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        if (willTimer != null) {
            willTimer.cancel(false);
            willTimer = null;
        }
    }
}
