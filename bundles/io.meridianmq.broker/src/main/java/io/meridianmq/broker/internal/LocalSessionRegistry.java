package io.meridianmq.broker.internal;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.SessionStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of this broker by client id, in memory: attach, takeover, detach, expiry and
 * recovery from the store at start.
 *
 * <p>Connects, takeovers, disconnects and expiry are serialised by one lock, never taken on the
 * publish path; lookups read the concurrent map without it.
 */
final class LocalSessionRegistry implements SessionRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSessionRegistry.class);

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    /** Sessions handed to another node of the cluster that still take messages until it has them all. */
    private final ConcurrentHashMap<String, Session> moving = new ConcurrentHashMap<>();
    /** Serialises connects, takeovers, disconnects and expiry; never taken on the publish path. */
    private final Object lock = new Object();
    /** Sessions expired since start (any thread adds). */
    private final java.util.concurrent.atomic.LongAdder expired = new java.util.concurrent.atomic.LongAdder();
    private final CoreParts core;

    LocalSessionRegistry(CoreParts core) {
        this.core = core;
    }

    @Override
    public Attachment attach(ClientIdentity identity, ConnectRequest request, ClientConnection connection) {
        String clientId = identity.clientId();
        BrokerSettings settings = core.settings();
        Session session;
        boolean present;
        ClientConnection previous;
        synchronized (lock) {
            Session existing = sessions.get(clientId);
            String claimed = identity.ownerKey();
            if (existing != null && existing.ownerKey != null && !existing.ownerKey.equals(claimed)) {
                if (settings.sessionOwnerCheck()) {
                    // online or offline, the session stays with whoever made it; its client stays connected
                    return Attachment.refused("client id '" + clientId + "' belongs to the session of "
                            + ClientIdentity.describeOwner(existing.ownerKey) + ", not to "
                            + ClientIdentity.describeOwner(claimed) + " (session_owner_check = true)", false);
                }
                LOG.info("Client {}: the session was made by {}; taken over by {} (session_owner_check = false)",
                        identity, ClientIdentity.describeOwner(existing.ownerKey), ClientIdentity.describeOwner(claimed));
            }
            int maxSessions = settings.limits().maxSessions();
            if ((existing == null || request.cleanStart()) && request.sessionExpirySeconds() != 0 && maxSessions >= 0
                    && sessions.size() - (existing == null ? 0 : 1) >= maxSessions) {
                return Attachment.refused("max_sessions (" + maxSessions + ") reached: no new persistent session",
                        true);
            }
            previous = existing == null ? null : existing.owner;
            if (existing != null && request.cleanStart()) {
                Session old = existing;
                old.owner = null;
                old.retire();
                old.submit(old::discard);
                sessions.remove(clientId, old);
                existing = null;
            }
            if (existing == null) {
                session = new Session(clientId, request.sessionExpirySeconds(), core, connection.executor());
                sessions.put(clientId, session);
                present = false;
            } else {
                session = existing;
                session.registeredExpirySeconds = request.sessionExpirySeconds();
                present = true;
            }
            session.owner = connection;
            session.ownerKey = claimed;
        }
        if (previous != null) {
            LOG.info("Client {}: taking over the session of the existing connection with that client id", identity);
            previous.close(DisconnectReason.SESSION_TAKEN_OVER,
                    "session taken over by a new connection with the same client id");
        }
        return new Attachment(session, present, null, false);
    }

    @Override
    public void detach(Session session, ClientConnection connection, long sessionExpirySeconds) {
        long expiry;
        synchronized (lock) {
            if (session.owner == connection) {
                session.owner = null;
                if (sessionExpirySeconds >= 0) {
                    session.registeredExpirySeconds = sessionExpirySeconds; // changed by its DISCONNECT
                }
                if (session.registeredExpirySeconds == 0 && sessions.remove(session.clientId, session)) {
                    session.retire();
                    core.cluster.released(session.clientId);
                }
            }
            // a connection that was taken over leaves the session with its successor's expiry
            expiry = session.registeredExpirySeconds;
        }
        session.submit(() -> session.detach(connection, expiry));
    }

    @Override
    public void expire(Session session) {
        synchronized (lock) {
            if (session.owner != null || !sessions.remove(session.clientId, session)) {
                return; // the client came back (or the session already ended)
            }
            session.retire();
        }
        LOG.info("Session of client '{}' expired", session.clientId);
        core.cluster.released(session.clientId);
        expired.increment();
        session.submit(session::discard);
    }

    @Override
    public boolean removeOffline(String clientId) {
        Session session;
        synchronized (lock) {
            session = sessions.get(clientId);
            if (session == null || session.owner != null || !sessions.remove(clientId, session)) {
                return false;
            }
            session.retire();
        }
        LOG.info("Session of client '{}' removed by an operator", clientId);
        core.cluster.released(clientId);
        session.submit(session::discard);
        return true;
    }

    @Override
    public CompletionStage<HandedSession> handOver(String clientId) {
        Session session;
        ClientConnection previous;
        synchronized (lock) {
            session = sessions.remove(clientId);
            if (session == null) {
                return CompletableFuture.completedFuture(null);
            }
            previous = session.owner;
            session.owner = null;
            moving.put(clientId, session);
        }
        if (previous != null) {
            LOG.info("Client '{}': the session was taken over by a connection to another node of the cluster",
                    clientId);
            previous.close(DisconnectReason.SESSION_TAKEN_OVER,
                    "session taken over by a connection with the same client id to another node of the cluster");
        }
        CompletableFuture<HandedSession> state = new CompletableFuture<>();
        session.submit(() -> session.moves().handOver(state));
        // should the other node never ask for the rest (it died meanwhile), the session ends here in time
        core.threads.schedule(() -> {
            if (moving.remove(clientId, session)) {
                LOG.warn("Client '{}': the node that took the session over never took the rest; it ends here",
                        clientId);
                session.submit(() -> session.moves().release(new CompletableFuture<>()));
            }
        }, 60, java.util.concurrent.TimeUnit.SECONDS);
        return state;
    }

    @Override
    public CompletionStage<HandedSession> release(String clientId) {
        Session session = moving.remove(clientId);
        if (session == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<HandedSession> rest = new CompletableFuture<>();
        session.submit(() -> session.moves().release(rest));
        return rest;
    }

    @Override
    public boolean movedAway(String clientId) {
        Session session;
        ClientConnection connected;
        synchronized (lock) {
            session = sessions.remove(clientId);
            if (session == null) {
                return false;
            }
            connected = session.owner;
            session.owner = null;
            session.retire();
        }
        if (connected != null) {
            connected.close(DisconnectReason.SESSION_TAKEN_OVER, "the session is on another node of the cluster");
        }
        session.submit(() -> session.moves().movedAway());
        return true;
    }

    @Override
    public CompletionStage<Void> adopt(RecoveredSession handed) {
        long now = System.currentTimeMillis();
        Session session = new Session(handed.clientId(), handed.expirySeconds(), core);
        // before anything can reach it: a message that comes twice while it moves is taken once
        session.submit(() -> session.moves().takeOnce(true));
        Session replaced;
        synchronized (lock) {
            session.ownerKey = handed.owner();
            replaced = sessions.put(handed.clientId(), session);
            if (replaced != null) {
                replaced.retire();
            }
        }
        if (replaced != null) {
            ClientConnection connected = replaced.owner;
            if (connected != null) {
                connected.close(DisconnectReason.SESSION_TAKEN_OVER, "session taken over by a connection elsewhere");
            }
            replaced.submit(replaced::discard);
        }
        CompletableFuture<Void> here = new CompletableFuture<>();
        session.submit(() -> {
            session.adopt(handed, now);
            here.complete(null);
        });
        return here;
    }

    @Override
    public long expiredCount() {
        return expired.sum();
    }

    @Override
    public int recover() {
        long now = System.currentTimeMillis();
        AtomicInteger count = new AtomicInteger();
        SessionStore store = core.store();
        AtomicLong sequences = core.sequences;
        long highest = store.recover(r -> {
            Session session = new Session(r.clientId(), r.expirySeconds(), core);
            session.ownerKey = r.owner(); // before anyone can connect to it
            sessions.put(r.clientId(), session);
            session.submit(() -> session.restore(r, now));
            count.incrementAndGet();
        });
        sequences.set(highest);
        return count.get();
    }

    @Override
    public Session find(String clientId) {
        return sessions.get(clientId);
    }

    @Override
    public Collection<Session> sessions() {
        return sessions.values();
    }

    @Override
    public int size() {
        return sessions.size();
    }
}
