package io.meridianmq.broker.internal;

import io.meridianmq.broker.DropReason;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * Authorizes the head of a session's queue again before it is sent, against the permissions in
 * force now: a message queued while the client was away (or restored after a restart) must not
 * reach a user whose rights were taken away meanwhile. Allowed, it is marked for this
 * connection; denied, it is dropped and reported.
 *
 * <p>Threading: the session's thread; an authorizer that answers later answers through the
 * session's mailbox.
 */
final class QueuedDeliveryCheck {

    private final Session session;
    private final SessionContext core;
    private final OutboundQueue queue;
    private final StoreMirror mirror;
    /** Whether a plugin is deciding about the head (draining waits). */
    private boolean deciding;

    QueuedDeliveryCheck(Session session, SessionContext core, OutboundQueue queue, StoreMirror mirror) {
        this.session = session;
        this.core = core;
        this.queue = queue;
        this.mirror = mirror;
    }

    /** Whether {@code head} is to be authorized again before it goes to connection {@code epoch}. */
    boolean needed(Delivery head, int epoch) {
        // a plugin's session is trusted: no authorizer is asked
        return head.authorizedEpoch != epoch && core.authorizesDeliveries()
                && session.plugin() == null;
    }

    /**
     * Decides about {@code head} for {@code who}: true when decided now (allowed, or denied and
     * dropped); false while a plugin decides (then {@code afterwards} runs on the session's
     * thread) or while the client is not known yet.
     *
     * @param epoch the connection in force when the decision is made
     */
    boolean check(Delivery head, ClientIdentity who, IntSupplier epoch, Runnable afterwards) {
        if (deciding || who == null) {
            return false; // a plugin is deciding, or nothing is sent before open() says who it is
        }
        CompletableFuture<PluginOutputs.Authorization> decision = core
                .authorizeDelivery(who, head.message.topic(), head.qos).toCompletableFuture();
        if (decision.isDone()) {
            decide(head, who, decision.join(), epoch.getAsInt());
            return true;
        }
        deciding = true;
        decision.thenAccept(a -> session.submit(() -> {
            deciding = false;
            decide(head, who, a, epoch.getAsInt());
            afterwards.run();
        }));
        return false;
    }

    private void decide(Delivery head, ClientIdentity who, PluginOutputs.Authorization a, int epoch) {
        if (queue.peek() != head) {
            return; // the queue changed meanwhile (the session was discarded)
        }
        if (a.verdict == PluginOutputs.Verdict.DENY) {
            queue.poll();
            core.dropped(who, head.message.topic(), DropReason.NOT_AUTHORIZED, "not authorized when delivered"
                    + (a.reason != null ? ": " + a.reason : ""));
            mirror.forget(head);
        } else {
            head.authorizedEpoch = epoch;
        }
    }
}
