package io.meridianmq.broker.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session moving between the nodes of a cluster. On the node it leaves: its state goes to the
 * new node while it stays subscribed, collecting what still reaches it, until the new node is
 * routed everywhere and takes the rest. On the node it comes to: each message (by its cluster
 * id) is taken once, whether it came directly or with the old node's rest, and the rest goes
 * before what came directly meanwhile (a publisher's messages keep their order).
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
    /**
     * While the session moves here from another node, what reached it directly, in order, held
     * until the old node's rest is in; null otherwise.
     */
    private List<Delivery> held;
    /** How long direct deliveries wait at most for the old node's rest. */
    private static final Duration HOLD_AT_MOST = Duration.ofSeconds(60);

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
    void handOver(CompletableFuture<HandedSession> result) {
        persistence.snapshot(session.expirySeconds(), core.store(), result::complete);
    }

    /**
     * The other node now receives the session's messages: what reached it here since
     * {@link #handOver} goes to {@code result}, then it ends here, its stored copy removed and a
     * delayed will left to the new owner.
     */
    void release(CompletableFuture<HandedSession> result) {
        persistence.snapshot(session.expirySeconds(), core.store(), rest -> {
            session.retire();
            timers.forgetWill();
            session.discard();
            // the cluster's copy of this incarnation is gone before the answer leaves
            core.store().whenDurable(() -> result.complete(rest));
        });
    }

    /**
     * This node had the session when it joined the cluster and keeps it: the cluster gets a full
     * copy (the store had it; the cluster's copy may be gone or older).
     */
    void copyToCluster(io.meridianmq.storage.SessionStore.Batch b) {
        persistence.copyInto(b, session.expirySeconds(), core.store(), () -> {
            timers.copyWill(b);
            b.submit();
        });
    }

    /**
     * The session moved to another node while this one was away (this node had an old copy in
     * its store): it ends here, without a will (the other node has the session and its will).
     */
    void movedAway() {
        timers.forgetWill();
        session.discard();
    }

    /**
     * Starts or stops taking each cluster message once. Starting also holds back what reaches
     * the session directly until the old node's rest is in ({@link #append}), so that the rest,
     * older, goes first; should it never come, what is held goes on after {@link #HOLD_AT_MOST}.
     */
    void takeOnce(boolean on) {
        arrived = on ? new HashSet<>() : null;
        if (on) {
            List<Delivery> holding = new ArrayList<>();
            held = holding;
            core.schedule(() -> session.submit(() -> {
                if (held == holding) {
                    releaseHeld();
                }
            }), HOLD_AT_MOST.toSeconds(), TimeUnit.SECONDS);
        } else {
            releaseHeld();
        }
    }

    /** Whether {@code d} is held back while the old node's rest is awaited (then it is taken here). */
    boolean held(Delivery d) {
        if (held == null) {
            return false;
        }
        held.add(d);
        return true;
    }

    private void releaseHeld() {
        List<Delivery> holding = held;
        held = null;
        if (holding != null) {
            holding.forEach(deliveries::deliver);
        }
    }

    /** Whether {@code d} reached the session before during a move (then it is dropped here). */
    boolean arrivedBefore(Delivery d) {
        if (arrived == null || d.clusterId == null || arrived.add(d.clusterId)) {
            return false;
        }
        mirror.forget(d);
        return true;
    }

    /**
     * Takes what reached the session on the node it came from ({@code rest}, null when nothing
     * came), after its state came, then what reached it here directly meanwhile.
     */
    void append(HandedSession rest) {
        if (rest == null) {
            releaseHeld();
            return;
        }
        rest.session().messages().forEach((key, m) -> {
            Delivery d = Delivery.restored(0, m);
            d.packetId = 0; // never sent to this client from here
            d.clusterId = rest.messageIds().get(key);
            if (!arrivedBefore(d)) {
                deliveries.deliver(d);
            }
        });
        releaseHeld();
    }
}
