package io.meridianmq.broker.internal;

import io.meridianmq.broker.ClientConnection;


/**
 * The QoS 1 and 2 exchanges with a session's client for the messages it is sent: a packet id
 * from the in-flight window, PUBLISH, then PUBACK, or PUBREC, PUBREL and PUBCOMP. For a
 * persistent session a QoS 2 message is exactly once across a crash: its packet id is on disk
 * before the client sees the PUBLISH, and "released" before the client sees the PUBREL, so a
 * restart resends the same packet id, or only the PUBREL.
 *
 * <p>Threading: the session's thread; "on disk" answers come back through the session's mailbox.
 */
final class OutboundExchange {

    private final Session session;
    private final SessionContext core;
    private final InflightWindow inflight;
    private final StoreMirror mirror;
    private final DeliveryTarget target;
    /** Runs after a message left the window (the queue may send the next). */
    private final Runnable windowFreed;

    OutboundExchange(Session session, SessionContext core, InflightWindow inflight, StoreMirror mirror,
            DeliveryTarget target, Runnable windowFreed) {
        this.session = session;
        this.core = core;
        this.inflight = inflight;
        this.mirror = mirror;
        this.target = target;
        this.windowFreed = windowFreed;
    }

    /** Sends {@code d} (QoS 1 or 2) under the next free packet id; the target is set. */
    void send(Delivery d, long now) {
        inflight.add(d);
        if (d.qos == 2 && d.sequence != 0) {
            int packetId = d.packetId;
            mirror.write(b -> b.updateMessage(session.clientId, d.sequence, packetId, false));
            ClientConnection sendTo = target.connection();
            core.store().whenDurable(() -> session.submit(() -> {
                // a newer connection has had it resent at attach already
                if (target.is(sendTo) && inflight.get(packetId) == d && !d.released
                        && !target.send(d.toPublish(System.currentTimeMillis(), false))) {
                    inflight.remove(packetId);
                    mirror.forget(d);
                }
            }));
            return;
        }
        if (!target.send(d.toPublish(now, false))) {
            inflight.remove(d.packetId); // too large for this client: behave as if delivered
            mirror.forget(d);
        }
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2) ends an outgoing message. */
    void acknowledged(int packetId) {
        Delivery d = inflight.remove(packetId);
        if (d != null) {
            mirror.forget(d);
            windowFreed.run();
        }
    }

    /** PUBREC: the client has the QoS 2 message; PUBREL, then wait for PUBCOMP. {@code failed}: an error PUBREC ends it. */
    void received(int packetId, boolean failed) {
        Delivery d = inflight.get(packetId);
        if (failed) {
            if (inflight.remove(packetId) != null) {
                mirror.forget(d);
                windowFreed.run();
            }
            return;
        }
        if (d != null && !d.released) {
            d.released = true;
            if (d.sequence != 0) {
                mirror.write(b -> b.updateMessage(session.clientId, d.sequence, packetId, true));
                ClientConnection sendTo = target.connection();
                core.store().whenDurable(() -> session.submit(() -> {
                    if (sendTo != null && target.is(sendTo) && inflight.get(packetId) == d) {
                        target.sendPubrel(packetId);
                    }
                }));
                return;
            }
        }
        if (target.isSet()) {
            target.sendPubrel(packetId);
        }
    }

}
