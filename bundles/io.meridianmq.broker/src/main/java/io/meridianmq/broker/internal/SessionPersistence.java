package io.meridianmq.broker.internal;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.StoredSubscription;

/**
 * Whether a session's state is in the durable store, and the way in and out: the whole session
 * written when it comes to outlive its connection, removed when it no longer does, and rebuilt
 * from what the store recovered when the broker starts.
 *
 * <p>Threading: the session's thread (its mailbox tasks), like the parts it reads and fills.
 */
final class SessionPersistence {

    private final Session session;
    /** Whether the broker keeps sessions in a durable store at all. */
    private final boolean durable;
    private final StoreMirror mirror;
    private final SessionSubscriptions subscriptions;
    private final InflightWindow inflight;
    private final OutboundQueue queue;
    private final IncomingQos2 incomingQos2;
    private final SessionTimers timers;

    SessionPersistence(Session session, boolean durable, StoreMirror mirror, SessionSubscriptions subscriptions,
            InflightWindow inflight, OutboundQueue queue, IncomingQos2 incomingQos2, SessionTimers timers) {
        this.session = session;
        this.durable = durable;
        this.mirror = mirror;
        this.subscriptions = subscriptions;
        this.inflight = inflight;
        this.queue = queue;
        this.incomingQos2 = incomingQos2;
        this.timers = timers;
    }

    /**
     * Brings the stored state in line with the session expiry ({@code expirySeconds}, as the
     * connection asked): all of it is written when the session comes to outlive its connection,
     * and removed when it no longer does.
     */
    void sync(long expirySeconds, long disconnectedAtMillis) {
        boolean wanted = durable && expirySeconds != 0;
        if (wanted && !mirror.persisted()) {
            mirror.persisted(true);
            mirror.write(b -> {
                b.putSession(session.clientId, expirySeconds, disconnectedAtMillis, session.ownerKey);
                subscriptions.all().forEach(s -> b.putSubscription(session.clientId, StoreMirror.stored(s)));
                for (Delivery d : inflight.all()) {
                    mirror.storeInto(b, d);
                }
                for (Iterator<Delivery> it = queue.inHeap(); it.hasNext();) {
                    mirror.storeInto(b, it.next());
                }
                incomingQos2.storeInto(b);
            });
        } else if (wanted) {
            mirror.write(b -> b.putSession(session.clientId, expirySeconds, disconnectedAtMillis, session.ownerKey));
        } else if (mirror.persisted()) {
            queue.dropPaged();
            mirror.write(b -> b.removeSession(session.clientId));
            mirror.persisted(false);
            inflight.all().forEach(d -> d.sequence = 0);
            queue.inHeap().forEachRemaining(d -> d.sequence = 0);
        }
    }

    /** Rebuilds the session from what the store recovered when the broker starts; it begins offline. */
    void restore(RecoveredSession r, long expirySeconds, long nowMillis) {
        mirror.persisted(true);
        for (StoredSubscription s : r.subscriptions()) {
            Subscription subscription = new Subscription(session, s.filter(), s.qos(), s.noLocal(), s.retainAsPublished(),
                    s.subscriptionId(), s.shareName());
            subscriptions.restore(subscription);
        }
        subscriptions.takeSnapshot();
        r.messages().forEach((sequence, m) -> {
            Delivery d = Delivery.restored(sequence, m);
            if (m.packetId() != 0) {
                // QoS 2 already sent: it keeps its packet id so the client can tell it is a resend
                d.packetId = m.packetId();
                d.released = m.released();
                if (inflight.restore(d)) {
                    return;
                }
                d.packetId = 0;
                d.released = false;
            }
            queue.restore(d);
        });
        incomingQos2.restore(r.incomingQos2());
        long disconnectedAt = r.disconnectedAtMillis() == 0 ? nowMillis : r.disconnectedAtMillis();
        if (r.disconnectedAtMillis() == 0) {
            mirror.write(b -> b.putSession(session.clientId, expirySeconds, disconnectedAt, session.ownerKey));
        }
        if (r.will() != null) {
            timers.restoreWill(r.will(), nowMillis);
        }
        if (expirySeconds != ConnectRequest.NEVER_EXPIRES) {
            long left = disconnectedAt + expirySeconds * 1000L - nowMillis;
            timers.expireAfter(Math.max(0, left), TimeUnit.MILLISECONDS);
        }
    }
}
