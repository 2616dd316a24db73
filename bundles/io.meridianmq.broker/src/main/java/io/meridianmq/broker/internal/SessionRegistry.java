package io.meridianmq.broker.internal;

import java.util.Collection;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;

/**
 * Who owns which client id, and where its session lives: a connection attaches to its session
 * (made, resumed or taken over), detaches from it, and a session without a client expires. Today's
 * implementation is {@link LocalSessionRegistry}; a cluster puts one here that knows the sessions
 * of every node, without {@link Router} or {@link Session} changing.
 *
 * <p>Thread-safe: called from network threads, session threads and timers.
 */
interface SessionRegistry {

    /** The outcome of an attach: the session and whether it existed, or why the client is refused. */
    record Attachment(Session session, boolean present, String refusal, boolean quotaExceeded) {
        static Attachment refused(String why, boolean quota) {
            return new Attachment(null, false, why, quota);
        }
    }

    /**
     * Attaches {@code connection} to the session of {@code identity}'s client id: a new one, the
     * existing one (an older connection to it is closed: taken over), or, with clean start, a new
     * one in place of the existing one. Refused when another identity owns the session or when a
     * new persistent session would pass {@code max_sessions}.
     */
    Attachment attach(ClientIdentity identity, ConnectRequest request, ClientConnection connection);

    /**
     * The connection of {@code session} ended; {@code sessionExpirySeconds} is the expiry its
     * DISCONNECT set, or -1 for the one it connected with.
     */
    void detach(Session session, ClientConnection connection, long sessionExpirySeconds);

    /** The session's expiry interval passed with no client: it ends, unless its client came back. */
    void expire(Session session);

    /**
     * Another node of the cluster took {@code clientId} over: the session leaves the registry, its
     * client (if connected here) is disconnected with 0x8E, and its state completes the result
     * (null when there is no such session here); it still takes messages until {@link #release}.
     */
    java.util.concurrent.CompletionStage<HandedSession> handOver(String clientId);

    /**
     * The node that took {@code clientId} over receives its messages now: what reached the session
     * since {@link #handOver} completes the result (null when none is moving), and it ends here.
     */
    java.util.concurrent.CompletionStage<HandedSession> release(String clientId);

    /**
     * Takes in a session another node handed over, offline, before its client attaches; an
     * existing session here with that client id gives way to it.
     */
    java.util.concurrent.CompletionStage<Void> adopt(io.meridianmq.storage.RecoveredSession handed);

    /**
     * The session of {@code clientId} moved to another node of the cluster while this node was
     * away (its copy here is old): it ends here, without its will; a client connected to it here
     * is disconnected (0x8E). False when there is no such session here.
     */
    boolean movedAway(String clientId);

    /** Rebuilds the sessions the store kept (once, at start); returns how many. */
    int recover();

    /** The session of {@code clientId}, or null. */
    Session find(String clientId);

    /** Every session known (a live view). */
    Collection<Session> sessions();

    int size();

    /**
     * Ends the session of {@code clientId} as if it expired now, if its client is not connected
     * (an operator's removal); false when there is none, or its client is connected.
     */
    boolean removeOffline(String clientId);

    /** Sessions that expired (their expiry interval passed while offline) since the broker started. */
    long expiredCount();
}
