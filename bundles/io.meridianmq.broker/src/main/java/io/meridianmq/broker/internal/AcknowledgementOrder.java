package io.meridianmq.broker.internal;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Sends a client's PUBACKs and PUBRECs in the order of its PUBLISHes (MQTT 4.6), each once
 * what it waits for has happened: the message is on disk for every persistent session it went
 * to (or the store said it cannot write it: then the answer is 0x80), congested receivers
 * have caught up, and a plugin that hands it on elsewhere has done so (or failed: 0x80). While one waits, the ones after it wait too, and
 * the client's in-flight window holds it back: back pressure for QoS 1 and 2 without a queue
 * growing anywhere.
 *
 * <p>Threading: the publishing client's session thread only.
 */
final class AcknowledgementOrder {

    /** A PUBACK/PUBREC waiting for {@code waits} things (durability, relieved receivers). */
    private static final class PendingAck {
        final IntConsumer onAccepted;
        /** The answer; becomes {@link ClientSessionHandle#UNSPECIFIED_ERROR} when the store cannot write. */
        int reason;
        int waits;

        PendingAck(IntConsumer onAccepted, int reason, int waits) {
            this.onAccepted = onAccepted;
            this.reason = reason;
            this.waits = waits;
        }
    }

    private final Session session;
    private final CoreParts core;
    /** Shared by every session with nothing waiting: only read (empty), never written. */
    private static final ArrayDeque<PendingAck> NONE_PENDING = new ArrayDeque<>(0);
    // made when an acknowledgement first waits: an idle connection should cost little memory
    private ArrayDeque<PendingAck> pending = NONE_PENDING;

    AcknowledgementOrder(Session session, CoreParts core) {
        this.session = session;
        this.core = core;
    }

    /** Answers {@code reason} now, or once everything written so far is durable. */
    void acknowledge(IntConsumer onAccepted, int reason, boolean afterDurable) {
        acknowledge(onAccepted, reason, afterDurable, List.of());
    }

    /** Answers {@code reason} once durable (if asked) and once every session of {@code waitFor} is relieved. */
    void acknowledge(IntConsumer onAccepted, int reason, boolean afterDurable, List<Session> waitFor) {
        acknowledge(onAccepted, reason, afterDurable, null, waitFor);
    }

    /**
     * Answers as {@link #acknowledge(IntConsumer, int, boolean, List)}; with {@code written} (the
     * submitted batch of the PUBLISH), durable means what that batch wrote is on this node's disk
     * and, in a cluster, held by the cluster and by the nodes the message went to.
     */
    void acknowledge(IntConsumer onAccepted, int reason, boolean afterDurable,
            io.meridianmq.storage.SessionStore.Batch written, List<Session> waitFor) {
        acknowledge(onAccepted, reason, afterDurable, written, waitFor, null);
    }

    /**
     * Answers as above, and only once {@code handedOn} (a plugin handing the message on, or null)
     * completed: on its failure the answer is 0x80, never that the message is safe.
     */
    void acknowledge(IntConsumer onAccepted, int reason, boolean afterDurable,
            io.meridianmq.storage.SessionStore.Batch written, List<Session> waitFor,
            java.util.concurrent.CompletableFuture<?> handedOn) {
        int waits = (afterDurable ? 1 : 0) + waitFor.size() + (handedOn != null ? 1 : 0);
        if (waits == 0 && pending.isEmpty()) {
            onAccepted.accept(reason);
            session.markWritten();
            return;
        }
        PendingAck ack = new PendingAck(onAccepted, reason, waits);
        if (pending == NONE_PENDING) {
            pending = new ArrayDeque<>(4);
        }
        pending.add(ack);
        if (afterDurable) {
            Runnable durable = () -> session.submit(() -> ready(ack));
            Runnable failed = () -> session.submit(() -> notStored(ack));
            if (written != null) {
                core.replicatingStore().whenWritten(written, durable, failed);
            } else {
                core.store().whenDurableOrFailed(durable, failed);
            }
        }
        for (Session receiver : waitFor) {
            core.router.whenRelievedOrLater(receiver, () -> session.submitUrgent(() -> ready(ack)));
        }
        if (handedOn != null) {
            handedOn.whenComplete((v, failure) -> session.submit(() -> {
                if (failure == null) {
                    ready(ack);
                } else {
                    notStored(ack);
                }
            }));
        }
        if (waits == 0) {
            release();
        }
    }

    private void ready(PendingAck ack) {
        ack.waits--;
        release();
    }

    /**
     * The store could not write the message for the persistent sessions it went to: the client
     * is told so (MQTT 5: 0x80; the protocol layer closes an MQTT 3 connection, which has no
     * negative acknowledgement), never that it is safe.
     */
    private void notStored(PendingAck ack) {
        ack.reason = ClientSessionHandle.UNSPECIFIED_ERROR;
        ready(ack);
    }

    /** Sends the acknowledgements at the head that wait for nothing any more, in order. */
    private void release() {
        while (!pending.isEmpty() && pending.peek().waits <= 0) {
            PendingAck p = pending.poll();
            p.onAccepted.accept(p.reason);
            session.markWritten();
        }
    }
}
