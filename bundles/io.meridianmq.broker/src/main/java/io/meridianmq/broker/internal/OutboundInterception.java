package io.meridianmq.broker.internal;

import io.meridianmq.broker.DropReason;

import java.util.concurrent.CompletableFuture;

/**
 * Runs a session's deliveries through the outbound PUBLISH interceptors, one after the other so
 * that they keep their order, and hands each back to the session as the interceptors made it
 * (topic, payload, QoS no higher than the subscription's, retain, expiry, properties), or drops
 * it. The stored copy of a persistent session's message becomes the intercepted one.
 *
 * <p>Threading: called on the session's thread; the interceptors answer on plugin threads, and
 * the answer goes back through the session's mailbox.
 */
final class OutboundInterception {

    private final Session session;
    private final SessionContext core;
    private final StoreMirror mirror;
    /** The last interception started; the next waits for it. Session thread. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    OutboundInterception(Session session, SessionContext core, StoreMirror mirror) {
        this.session = session;
        this.core = core;
        this.mirror = mirror;
    }

    /** Whether {@code d} is still to be shown to the interceptors (there are some, and it has not been). */
    boolean applies(Delivery d, ClientIdentity who) {
        return !d.intercepted && who != null && core.interceptsDeliveries();
    }

    /** Shows {@code d} to the interceptors as a delivery to {@code who}; the session gets the result. */
    void intercept(Delivery d, ClientIdentity who) {
        Message m = d.message;
        PluginOutputs.Publish copy = new PluginOutputs.Publish(m.topic(), m.payload(), d.qos, d.retain,
                m.remainingExpirySeconds(System.currentTimeMillis()), m.properties());
        tail = tail.thenCompose(v -> core.interceptDelivery(who, copy)).thenAccept(out -> session.submit(() -> {
            if (out.dropReason != null) {
                core.dropped(who, m.topic(), DropReason.PLUGIN_DROPPED, "dropped by a plugin: " + out.dropReason);
                mirror.forget(d);
                return;
            }
            PluginOutputs.Publish p = out.publish;
            Message changed = new Message(p.topic, p.payload, m.qos(), p.retain, p.properties(),
                    p.messageExpiry == null ? Long.MAX_VALUE : System.currentTimeMillis() + p.messageExpiry * 1000L,
                    m.publisherId());
            Delivery intercepted = new Delivery(changed, Math.min(d.qos, p.qos), p.retain, d.subscriptionIds,
                    d.sharedGroup);
            intercepted.intercepted = true;
            if (d.sequence != 0) {
                // the stored copy becomes what the interceptors made of it
                intercepted.sequence = d.sequence;
                mirror.write(b -> b.putMessage(session.clientId, intercepted.sequence, intercepted.toStored()));
            }
            session.deliver(intercepted);
        })).toCompletableFuture();
    }
}
