package io.meridianmq.broker.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A session moving between the nodes of a cluster. On the node it leaves: its state goes to the
 * new node while it stays subscribed, collecting what still reaches it, until the new node is
 * routed everywhere and takes the rest. On the node it comes to: each message (by its cluster
 * id) is taken once, whether it came directly or with the old node's rest.
 *
 * <p>Threading: the session's thread (its mailbox tasks), like the parts it works with.
 */
final class SessionMove {

    private final Session session;
    private final SessionContext core;
    private final SessionPersistence persistence;
    private final SessionTimers timers;
    private final SessionDeliveries deliveries;
    private final StoreMirror mirror;
    /**
     * While the session moves here from another node, the cluster ids of the messages it took;
     * null otherwise.
     */
    private Set<String> arrived;

    SessionMove(Session session, SessionContext core, SessionPersistence persistence, SessionTimers timers,
            SessionDeliveries deliveries, StoreMirror mirror) {
        this.session = session;
        this.core = core;
        this.persistence = persistence;
        this.timers = timers;
        this.deliveries = deliveries;
        this.mirror = mirror;
    }

    /**
     * Another node takes the session over (it already left the registry): its state goes to
     * {@code result}; the session stays, offline, taking what still reaches it until
     * {@link #release}.
     */
    void handOver(long expirySeconds, CompletableFuture<HandedSession> result) {
        persistence.snapshot(expirySeconds, core.store(), result::complete);
    }

    /**
     * The other node now receives the session's messages: what reached it here since
     * {@link #handOver} goes to {@code result}, then it ends here, its stored copy removed and a
     * delayed will left to the new owner.
     */
    void release(long expirySeconds, CompletableFuture<HandedSession> result) {
        persistence.snapshot(expirySeconds, core.store(), rest -> {
            session.retire();
            timers.forgetWill();
            session.discard();
            // the cluster's copy of this incarnation is gone before the answer leaves
            core.store().whenDurable(() -> result.complete(rest));
        });
    }

    /** Starts or stops taking each cluster message once. */
    void takeOnce(boolean on) {
        arrived = on ? new HashSet<>() : null;
    }

    /** Whether {@code d} reached the session before during a move (then it is dropped here). */
    boolean arrivedBefore(Delivery d) {
        if (arrived == null || d.clusterId == null || arrived.add(d.clusterId)) {
            return false;
        }
        mirror.forget(d);
        return true;
    }

    /** Takes what reached the session on the node it came from, after its state came. */
    void append(HandedSession rest) {
        rest.session().messages().forEach((key, m) -> {
            Delivery d = Delivery.restored(0, m);
            d.packetId = 0; // never sent to this client from here
            d.clusterId = rest.messageIds().get(key);
            if (!arrivedBefore(d)) {
                deliveries.deliver(d);
            }
        });
    }
}
