package io.meridianmq.broker.internal;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.DropReason;

/**
 * What happens to each message routed to a session: an outbound interceptor may take it, an
 * expired one is dropped, it is sent within the in-flight window or queued (on disk too for a
 * persistent session), and the queue is drained, paged in from disk and authorized again as
 * the window frees; a connected client that makes no progress for {@code slow_consumer_timeout}
 * is disconnected. It makes the parts only deliveries need: the QoS 1 and 2 exchanges, the
 * outbound interception and the check of queued messages.
 *
 * <p>Threading: the session's thread only (its mailbox's tasks).
 */
final class SessionDeliveries {

    private final Session session;
    private final SessionContext core;
    private final DeliveryTarget target;
    private final ConsumerProgress progress;
    private final StoreMirror mirror;
    private final InflightWindow inflight;
    private final OutboundQueue queue;
    private final OutboundExchange exchange;
    private final OutboundInterception interception;
    private final QueuedDeliveryCheck queuedCheck;
    private final Congestion congestion;

    SessionDeliveries(Session session, SessionContext core, DeliveryTarget target, ConsumerProgress progress,
            StoreMirror mirror, InflightWindow inflight, OutboundQueue queue, Congestion congestion) {
        this.session = session;
        this.core = core;
        this.target = target;
        this.progress = progress;
        this.mirror = mirror;
        this.inflight = inflight;
        this.queue = queue;
        this.congestion = congestion;
        this.interception = new OutboundInterception(session, core, mirror);
        this.queuedCheck = new QueuedDeliveryCheck(session, core, queue, mirror);
        this.exchange = new OutboundExchange(session, core, inflight, mirror, target, this::drainQueue);
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2) from the current connection ends an outgoing message. */
    void acknowledged(int packetId) {
        exchange.acknowledged(packetId);
    }

    /** PUBREC from the current connection ({@code failed}: with an error reason, which ends the exchange). */
    void received(int packetId, boolean failed) {
        exchange.received(packetId, failed);
    }

    /** Delivers a routed message at the QoS already reduced to the subscription's maximum. */
    void deliver(Delivery d) {
        if (session.isDiscarded()) {
            return;
        }
        // a plugin session (a bridge) waits for its remote as long as it takes: its queue is on disk
        if (target.isSet() && progress.timedOut(core.settings().slowConsumerTimeoutSeconds())
                && session.plugin() == null) {
            endSlowConsumer();
        }
        ClientIdentity who = session.identity;
        if (interception.applies(d, who)) {
            interception.intercept(d, who);
            return;
        }
        long now = System.currentTimeMillis();
        if (d.message.isExpired(now)) {
            mirror.forget(d);
            core.traffic().dropped(DropReason.EXPIRED);
            return;
        }
        if (d.qos == 0) {
            if (target.isSet()) {
                target.send(d.toPublish(now, false));
            } else if (session.expirySeconds() != 0 && core.settings().queueQos0Messages()) {
                enqueue(d);
            }
            return;
        }
        mirror.store(d);
        if (target.isSet() && queue.isEmpty() && !inflight.full()) {
            exchange.send(d, now);
        } else if (session.expirySeconds() != 0 || target.isSet()) {
            enqueue(d);
        } else {
            mirror.forget(d);
        }
    }

    /** Its client stopped taking messages for longer than slow_consumer_timeout: the connection ends. */
    private void endSlowConsumer() {
        ClientConnection o = session.owner;
        if (o != null) {
            o.close(DisconnectReason.QUOTA_EXCEEDED, "slow consumer: no progress for " + progress.stalledSeconds()
                    + " s (slow_consumer_timeout " + core.settings().slowConsumerTimeoutSeconds() + " s), "
                    + queue.size() + " message(s) waiting");
        }
    }

    private void enqueue(Delivery d) {
        if (target.isSet()) {
            progress.waiting();
            d.authorizedEpoch = session.connectionEpoch(); // routed just now, for this connection
        }
        PluginSessionLink plugin = session.plugin();
        if (plugin != null && plugin.maxQueuedMessages() > 0) {
            // its own bound, in messages; they wait on disk beyond the first ones, even while it is connected
            queue.offer(d, plugin.maxQueuedMessages(), 0, true);
        } else {
            queue.offer(d, core.settings(), !target.isSet());
        }
        congestion.queueGrew(queue.size());
    }

    /** Reads the next page of messages kept on disk only; they join the queue when they arrive. */
    private void pageIn() {
        core.store().load(queue.nextPage(), found -> session.submit(() -> {
            if (session.isDiscarded()) {
                return;
            }
            queue.pagedIn(found);
            drainQueue();
        }));
    }

    /** Sends what the queue holds while the window has room, then tells the session's congestion. */
    void drainQueue() {
        drainQueueUnreported();
        session.queueChanged();
    }

    private void drainQueueUnreported() {
        long now = System.currentTimeMillis();
        while (target.isSet() && !queue.isEmpty()) {
            Delivery next = queue.peek();
            if (next == null) {
                if (queue.needsPageIn()) {
                    pageIn();
                }
                return;
            }
            if (next.message.isExpired(now)) {
                mirror.forget(queue.poll());
                core.traffic().dropped(DropReason.EXPIRED);
                continue;
            }
            if (next.qos > 0 && inflight.full()) {
                return;
            }
            if (queuedCheck.needed(next, session.connectionEpoch())) {
                if (!queuedCheck.check(next, session.identity, session::connectionEpoch, this::drainQueue)) {
                    return; // a plugin is deciding (draining goes on when it has), or it was denied
                }
                continue; // allowed: the loop sends it (or it was dropped and the next is looked at)
            }
            queue.poll();
            if (next.qos == 0) {
                target.send(next.toPublish(now, false));
            } else {
                exchange.send(next, now);
            }
        }
    }
}
