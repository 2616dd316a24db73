package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.SessionStore;
import io.meridianmq.storage.StoredMessage;
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
            mirror.write(b -> writeState(b, expirySeconds, disconnectedAtMillis, mirror::storeInto));
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
        restore(r, expirySeconds, nowMillis, true);
    }

    /**
     * Writes the whole stored session into {@code b} under its store keys (the cluster's copy of
     * a session this node had when it joined); messages waiting on disk are read back first.
     * Session thread; {@code then} runs on it once {@code b} has everything.
     */
    void copyInto(SessionStore.Batch b, long expirySeconds, SessionStore store, Runnable then) {
        if (!mirror.persisted()) {
            then.run();
            return;
        }
        writeState(b, expirySeconds, System.currentTimeMillis(), this::copy);
        long[] paged = queue.pagedSequences();
        if (paged.length == 0) {
            then.run();
            return;
        }
        store.load(paged, found -> session.submit(() -> {
            found.forEach((sequence, m) -> b.putMessage(session.clientId, sequence, m));
            then.run();
        }));
    }

    /**
     * Writes the session's header, subscriptions, in-flight and in-heap queued messages (each
     * through {@code message}) and incoming QoS 2 exchanges into {@code b}.
     */
    private void writeState(SessionStore.Batch b, long expirySeconds, long disconnectedAtMillis,
            java.util.function.BiConsumer<SessionStore.Batch, Delivery> message) {
        b.putSession(session.clientId, expirySeconds, disconnectedAtMillis, session.ownerKey);
        subscriptions.all().forEach(s -> b.putSubscription(session.clientId, StoreMirror.stored(s)));
        for (Delivery d : inflight.all()) {
            message.accept(b, d);
        }
        for (Iterator<Delivery> it = queue.inHeap(); it.hasNext();) {
            message.accept(b, it.next());
        }
        incomingQos2.storeInto(b);
    }

    /** A message already in the store, under its key (for the cluster's copy). */
    private void copy(SessionStore.Batch b, Delivery d) {
        if (d.sequence != 0) {
            b.putMessage(session.clientId, d.sequence, d.toStored());
        }
    }

    /**
     * The session's state as another node takes it over: subscriptions, the messages in flight
     * and queued (those waiting on disk read back first), and the QoS 2 exchanges awaiting
     * PUBREL; given to {@code then} on the session's thread. The messages leave the session's
     * memory (their stored copies stay until the session is retired): what reaches it afterwards
     * is the next snapshot. Messages are numbered anew, in order, since store keys mean nothing
     * to the other node.
     */
    void snapshot(long expirySeconds, SessionStore store, Consumer<HandedSession> then) {
        List<StoredSubscription> subs = new ArrayList<>();
        subscriptions.all().forEach(s -> subs.add(StoreMirror.stored(s)));
        SortedMap<Long, StoredMessage> messages = new TreeMap<>();
        java.util.Map<Long, String> ids = new java.util.HashMap<>();
        for (Delivery d : inflight.all()) {
            take(messages, ids, d);
        }
        for (Iterator<Delivery> it = queue.inHeap(); it.hasNext();) {
            take(messages, ids, it.next());
        }
        long[] paged = queue.pagedSequences();
        Set<Integer> incoming = incomingQos2.ids();
        inflight.clear();
        queue.clear();
        Runnable done = () -> then.accept(new HandedSession(new RecoveredSession(session.clientId, expirySeconds,
                System.currentTimeMillis(), subs, messages, incoming, null, session.ownerKey), ids));
        if (paged.length == 0) {
            done.run();
            return;
        }
        store.load(paged, found -> session.submit(() -> {
            for (long sequence : paged) {
                StoredMessage m = found.get(sequence);
                if (m != null) {
                    messages.put(messages.size() + 1L, m);
                }
            }
            done.run();
        }));
    }

    private static void take(SortedMap<Long, StoredMessage> messages, java.util.Map<Long, String> ids, Delivery d) {
        long key = messages.size() + 1L;
        messages.put(key, d.toStored());
        if (d.clusterId != null) {
            ids.put(key, d.clusterId);
        }
    }

    /**
     * Takes over a session another node handed over: written to this node's store first when it
     * outlives its connection (with this node's store keys), then rebuilt as at a restart.
     */
    void adopt(RecoveredSession handed, long expirySeconds, long nowMillis, LongSupplier sequences,
            SessionStore store) {
        SortedMap<Long, StoredMessage> renumbered = new TreeMap<>();
        handed.messages().values().forEach(m -> renumbered.put(sequences.getAsLong(), m));
        RecoveredSession r = new RecoveredSession(handed.clientId(), expirySeconds, nowMillis, handed.subscriptions(),
                renumbered, handed.incomingQos2(), handed.will(), handed.owner());
        boolean persist = durable && expirySeconds != 0;
        if (persist) {
            SessionStore.Batch b = store.batch();
            b.putSession(session.clientId, expirySeconds, nowMillis, session.ownerKey);
            r.subscriptions().forEach(s -> b.putSubscription(session.clientId, s));
            renumbered.forEach((sequence, m) -> b.putMessage(session.clientId, sequence, m));
            r.incomingQos2().forEach(id -> b.addIncomingQos2(session.clientId, id));
            b.submit();
        }
        restore(r, expirySeconds, nowMillis, persist);
        mirror.persisted(persist);
    }

    private void restore(RecoveredSession r, long expirySeconds, long nowMillis, boolean pageable) {
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
            queue.restore(d, pageable);
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
