package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.DropReason;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.SessionStore;


/**
 * One MQTT session's delivery flow: each message routed to it is intercepted, sent within the
 * in-flight window or queued, authorized again when it leaves the queue, and forgotten when
 * acknowledged; the session attaches to a connection, detaches, expires and is restored from
 * the store. Its state lives in its parts: {@link SessionSubscriptions}, {@link InflightWindow},
 * {@link OutboundQueue}, {@link IncomingQos2}, {@link SessionTimers}, {@link StoreMirror} and
 * {@link SessionPersistence}.
 *
 * <p>Single writer: all state is changed by tasks run one at a time from this session's mailbox
 * ({@link #submit}), on the connection's event loop while connected and on an offline executor
 * chosen by client id otherwise. Other threads never touch the state directly, so nothing here
 * is locked. Only {@link #owner} is written outside the mailbox, under the registry lock.
 */
final class Session {

    final String clientId;
    /** The rest of the broker, as far as a session needs it. */
    private final SessionContext core;

    /** The connection that owns the session; written under the registry lock only. */
    volatile ClientConnection owner;
    /** Session expiry interval in seconds, as the attached (or last) connection asked; session thread. */
    private long expirySeconds;
    /**
     * The expiry the registry decides by (whether a detached session stays); written and read
     * under the registry lock. The session's own {@link #expirySeconds} follows it through tasks.
     */
    long registeredExpirySeconds;
    /**
     * Who made the session ({@link ClientIdentity#ownerKey()}), stored with it; null for a
     * session restored from a store that did not keep owners. Written under the registry lock
     * (or before the session is registered, at recovery).
     */
    volatile String ownerKey;
    /** Who the session's client is (set when a connection opens; for services and events). */
    volatile ClientIdentity identity;
    /** Counts the connections attached so far (1 for the first); session thread. */
    private int connectionEpoch;
    /** Whether a connection is attached (read by shared subscription groups). */
    private volatile boolean online;
    /** The session's copy in the durable store. */
    private final StoreMirror mirror;

    /** Runs this session's tasks one at a time, on the connection's thread or an offline one. */
    private final Mailbox mailbox;

    /** The in-flight window's size for other threads: written after each batch of tasks. */
    private volatile int inflightPublished;
    /** The queue's payload bytes for other threads: written after each batch of tasks. */
    private volatile long queuedBytesPublished;

    /** Whether this session's publishers should be held back, and who to resume after. */
    private final Congestion congestion;
    /** Whether its connected client makes progress (slow_consumer_timeout). */
    private final ConsumerProgress progress = new ConsumerProgress();

    // --- state below is touched only by mailbox tasks ---
    private final DeliveryTarget target;
    private boolean discarded;
    private final SessionSubscriptions subscriptions;
    private final InflightWindow inflight = new InflightWindow();
    private final OutboundQueue queue;
    private final IncomingQos2 incomingQos2;
    private final SessionTimers timers;
    // the three parts below are made when first needed: an idle client's session never needs
    // them (about 250 bytes per connection), a durable or moving one does
    /** Its state in the durable store; made at the first write or restore. */
    private SessionPersistence persistence;
    /** What happens to each message routed to the session; made at the first delivery. */
    private SessionDeliveries deliveries;
    /** The session's moves between the nodes of a cluster; made at the first move. */
    private SessionMove move;

    Session(String clientId, long expirySeconds, SessionContext core) {
        this(clientId, expirySeconds, core, core.offlineExecutor(clientId));
    }

    /**
     * A session whose tasks first run on {@code firstExecutor}: a new session made for a
     * connecting client starts on the connection's thread, so that opening it takes no trip
     * through an offline thread.
     */
    Session(String clientId, long expirySeconds, SessionContext core, Executor firstExecutor) {
        this.clientId = clientId;
        this.expirySeconds = expirySeconds;
        this.registeredExpirySeconds = expirySeconds;
        this.core = core;
        this.mirror = new StoreMirror(clientId, core);
        this.target = new DeliveryTarget(core.traffic());
        // a plugin session's queue (a bridge's, its remote away) holds no publisher back, as an offline one
        this.congestion = new Congestion(clientId, () -> online && plugin() == null);
        this.mailbox = new Mailbox(clientId, firstExecutor, this::flushIfNeeded);
        this.subscriptions = new SessionSubscriptions(this, core.routes(), mirror);
        this.queue = new OutboundQueue(clientId, mirror,
                (d, why) -> core.dropped(identity, d.message.topic(), DropReason.QUEUE_FULL, why),
                () -> core.traffic().dropped(DropReason.EXPIRED));
        this.timers = new SessionTimers(this, core, mirror);
        this.incomingQos2 = new IncomingQos2(clientId, mirror);
    }

    private SessionDeliveries deliveries() {
        SessionDeliveries d = deliveries;
        if (d == null) {
            d = new SessionDeliveries(this, core, target, progress, mirror, inflight, queue, congestion);
            deliveries = d;
        }
        return d;
    }

    private SessionPersistence persistence() {
        SessionPersistence p = persistence;
        if (p == null) {
            p = new SessionPersistence(this, core.durable(), mirror, subscriptions, inflight, queue, incomingQos2,
                    timers);
            persistence = p;
        }
        return p;
    }

    private SessionMove move() {
        SessionMove m = move;
        if (m == null) {
            m = new SessionMove(this, core, persistence(), timers, deliveries(), mirror);
            move = m;
        }
        return m;
    }

    /** A copy of the subscriptions (filter, with its shared group, to QoS) that other threads may read. */
    Map<String, Integer> subscriptionSnapshot() {
        return subscriptions.snapshot;
    }

    boolean isOnline() {
        return online;
    }

    /**
     * The plugin holding this session (SDK PluginSession), or null for a client's: a plugin's is
     * trusted, has its own queue bound, and never holds publishers back nor counts as slow.
     */
    PluginSessionLink plugin() {
        return owner instanceof PluginSessionLink link ? link : null;
    }

    /** Whether its state is in the durable store (any thread; routing asks). */
    boolean persisted() {
        return mirror.persisted();
    }

    /** The session left the registry (called under the registry lock): its stored state goes now. */
    void retire() {
        mirror.retire();
    }

    /** Rebuilds the session from the store when the broker starts; it begins offline. */
    void restore(RecoveredSession r, long nowMillis) {
        persistence().restore(r, expirySeconds, nowMillis);
    }

    /** The session's moves between the nodes of a cluster (made at the first). Session thread. */
    SessionMove moves() {
        return move();
    }

    /** Takes over the state another node handed over; the session begins offline. Session thread. */
    void adopt(RecoveredSession handed, long nowMillis) {
        persistence().adopt(handed, expirySeconds, nowMillis, core::nextSequence, core.store());
    }

    /** Runs {@code task} on this session's thread, after the tasks submitted before it. */
    void submit(Runnable task) {
        mailbox.submit(task);
    }

    /** Runs {@code task} on this session's thread before the mailbox's waiting tasks. */
    void submitUrgent(Runnable task) {
        mailbox.submitUrgent(task);
    }

    /** Hands a delivery to this session; counted until it runs, for back pressure. */
    void submitDelivery(Delivery d) {
        congestion.deliverySubmitted();
        submit(new DeliveryTask(d));
    }

    /** A delivery waiting in the mailbox. */
    private final class DeliveryTask implements Runnable {
        private final Delivery delivery;

        DeliveryTask(Delivery delivery) {
            this.delivery = delivery;
        }

        @Override
        public void run() {
            congestion.deliveryTaken();
            SessionMove m = move;
            if (m == null || !m.arrivedBefore(delivery) && !m.held(delivery)) {
                deliver(delivery);
            }
        }
    }

    /** Whether publishers should pause now (see {@link Congestion}). Any thread. */
    boolean congested() {
        return congestion.congested();
    }

    /** Publishes the queue's length to other threads; relieves publishers when it is short again. */
    void queueChanged() {
        congestion.queueLength(queue.size());
    }

    /** Runs {@code r} (on any thread) once this session is no longer congested; at once if it is not. */
    void whenRelieved(Runnable r) {
        congestion.whenRelieved(r);
    }

    void forgetRelief(Runnable r) {
        congestion.forgetRelief(r);
    }

    /** The client's connection became writable or not (from the protocol layer). */
    void writabilityChanged(boolean writable) {
        congestion.writabilityChanged(writable);
        progress.writabilityChanged(writable);
    }

    /** QoS 1/2 messages in flight, as of the last batch of tasks, for other threads (metrics). */
    int inflightCount() {
        return inflightPublished;
    }

    /** Payload bytes in the queue (heap and disk), as of the last batch of tasks. */
    long queuedBytes() {
        return queuedBytesPublished;
    }

    /** Messages in the queue (heap and disk), as last published for other threads. */
    int queuedCount() {
        return congestion.queueLength();
    }

    /** After each batch of tasks: one flush for all the writes the batch made. Session thread. */
    private void flushIfNeeded() {
        int inflightNow = inflight.size();
        if (inflightNow != inflightPublished) {
            inflightPublished = inflightNow;
        }
        long queuedBytesNow = queue.bytes();
        if (queuedBytesNow != queuedBytesPublished) {
            queuedBytesPublished = queuedBytesNow;
        }
        target.flushIfNeeded();
    }

    // ---- tasks (run on the session's thread) ----

    /**
     * Makes {@code connection} the delivery target (any thread): the session moves to the
     * connection's thread first, then {@link #attach} runs there, before any task waiting.
     */
    void open(ClientConnection connection, int receiveMaximum, long sessionExpirySeconds) {
        submit(() -> {
            if (mailbox.executor() == connection.executor()) {
                // already there (a new session starts on its connection's thread): nothing else
                // runs before this task ends, so attaching now is attaching first, and no urgent
                // queue is made for a client that may never acknowledge anything
                attach(connection, receiveMaximum, sessionExpirySeconds);
                return;
            }
            mailbox.moveTo(connection.executor());
            submitUrgent(() -> attach(connection, receiveMaximum, sessionExpirySeconds));
        });
    }

    /** On the connection's thread: resend what is unacknowledged, then the queue. */
    private void attach(ClientConnection connection, int receiveMaximum, long sessionExpirySeconds) {
        if (discarded) {
            return;
        }
        expirySeconds = sessionExpirySeconds;
        timers.connected();
        connectionEpoch++;
        target.set(connection);
        progress.reset();
        online = true;
        syncStore(0);
        inflight.resize(receiveMaximum, core.settings().maxInflightMessages());
        long now = System.currentTimeMillis();
        for (Iterator<Delivery> it = inflight.all().iterator(); it.hasNext();) {
            Delivery d = it.next();
            if (d.released) {
                target.sendPubrel(d.packetId);
            } else if (!target.send(d.toPublish(now, true))) {
                it.remove(); // too large for this client: behave as if delivered
                mirror.forget(d);
            }
        }
        drainQueue();
    }

    /**
     * The connection ended: keep state for a session that outlives it ({@code sessionExpirySeconds},
     * as the registry decided), forget it otherwise. The tasks after this one run offline.
     */
    void detach(ClientConnection connection, long sessionExpirySeconds) {
        if (!target.is(connection)) {
            return; // a newer connection already took over
        }
        flushIfNeeded();
        target.clear();
        online = false;
        expirySeconds = sessionExpirySeconds;
        writabilityChanged(true); // nothing waits for an offline client's socket or queue
        mailbox.moveTo(core.offlineExecutor(clientId));
        handOverSharedDeliveries();
        long expiry = expirySeconds;
        if (expiry == 0) {
            discard(); // the registry already forgot it (SessionRegistry.detach)
            return;
        }
        syncStore(System.currentTimeMillis());
        if (expiry != ConnectRequest.NEVER_EXPIRES) {
            timers.expireAfter(expiry, TimeUnit.SECONDS);
        }
    }

    /**
     * Messages that reached this session through a shared subscription and are not yet
     * delivered go to another member of their group when the client leaves (QoS 2 messages the
     * client already received, PUBREC'd, stay).
     */
    private void handOverSharedDeliveries() {
        List<Delivery> moving = new ArrayList<>();
        inflight.takeShared(moving);
        queue.takeShared(moving);
        for (Delivery d : moving) {
            mirror.forget(d);
            core.redeliverShared(d, this);
        }
    }

    /** Ends the session: its subscriptions leave the tree, its messages are dropped, a pending will is sent. */
    void discard() {
        if (discarded) {
            return;
        }
        discarded = true;
        online = false;
        timers.sessionEnded();
        subscriptions.clear();
        inflight.clear();
        queue.clear();
        congestion.queueLength(0);
        incomingQos2.clear();
        target.clear();
        mirror.write(b -> b.removeSession(clientId));
        mirror.persisted(false);
        writabilityChanged(true); // publishers held back for this session go on
    }

    boolean isDiscarded() {
        return discarded;
    }

    /** Counts the connections attached so far; session thread. */
    int connectionEpoch() {
        return connectionEpoch;
    }

    /** The session expiry interval in force (seconds); session thread. */
    long expirySeconds() {
        return expirySeconds;
    }

    /** Holds a will until its delay passes or the session ends, whichever comes first. */
    void delayWill(ClientIdentity owner, WillMessage will) {
        if (discarded) {
            core.publishWill(owner, will);
            return;
        }
        timers.delayWill(owner, will);
    }

    /** Delivers a routed message at the QoS already reduced to the subscription's maximum. */
    void deliver(Delivery d) {
        deliveries().deliver(d);
    }

    private void drainQueue() {
        if (deliveries == null && queue.isEmpty()) {
            queueChanged(); // what draining an empty queue does, without making the delivery parts
            return;
        }
        deliveries().drainQueue();
    }

    /** Writes the session's state to the store, or removes it, as its expiry now asks (see SessionPersistence#sync). */
    private void syncStore(long disconnectedAtMillis) {
        // without a durable store a session is in it only if it was restored or adopted from one
        if (persistence != null || core.durable()) {
            persistence().sync(expirySeconds, disconnectedAtMillis);
        }
    }

    /**
     * PUBACK (QoS 1) or PUBCOMP (QoS 2) on {@code from} ends an outgoing message. One that
     * arrives on a connection the session has left (taken over, or closed) is ignored: the
     * current connection has had the message again and acknowledges it itself.
     */
    void acknowledged(int packetId, ClientConnection from) {
        if (target.is(from)) {
            progress.progressed();
            deliveries().acknowledged(packetId);
        }
    }

    /**
     * PUBREC on {@code from} ({@code failed}: with an error reason, which ends the exchange).
     * Ignored from a connection the session has left: acting on it as well as on the current
     * connection's own PUBREC would send that connection PUBREL twice, and a client that
     * delivers on PUBREL (Paho) would deliver the message twice.
     */
    void received(int packetId, boolean failed, ClientConnection from) {
        if (target.is(from)) {
            progress.progressed();
            deliveries().received(packetId, failed);
        }
    }

    /**
     * Records an incoming QoS 2 packet id in the session and in {@code batch}; false when it is a
     * duplicate already routed.
     */
    boolean beginIncomingQos2(int packetId, SessionStore.Batch batch) {
        return incomingQos2.begin(packetId, batch);
    }

    boolean endIncomingQos2(int packetId) {
        return incomingQos2.end(packetId);
    }

    /**
     * Whether one more subscription to {@code filter} (in {@code shareName}'s group, or null)
     * stays within {@code max}: a subscription that replaces one always does. Session thread.
     */
    boolean roomForSubscription(String filter, String shareName, int max) {
        return subscriptions.roomFor(filter, shareName, max);
    }

    /** Adds or replaces a subscription; returns whether it existed. Session thread. */
    boolean addSubscription(Subscription subscription) {
        return !discarded && subscriptions.add(subscription);
    }

    boolean removeSubscription(String filter, String shareName) {
        return subscriptions.remove(filter, shareName);
    }

    /** Marks that the target has unflushed writes (for writes made by callbacks). */
    void markWritten() {
        target.written();
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
