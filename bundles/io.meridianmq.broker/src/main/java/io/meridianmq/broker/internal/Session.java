package io.meridianmq.broker.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.broker.WillMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one MQTT session: subscriptions, messages in flight to the client, messages queued
 * while it is offline or its in-flight window is full, incoming QoS 2 packet ids, its expiry and
 * a delayed will.
 *
 * <p>Single writer: all state is changed by tasks run one at a time from this session's mailbox
 * ({@link #submit}), on the connection's event loop while connected and on an offline executor
 * chosen by client id otherwise. Other threads never touch the state directly, so nothing here
 * is locked. Only {@link #owner} is written outside the mailbox, under the registry lock.
 */
final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    private static final int DRAIN_BATCH = 256;
    private static final int[] NO_IDS = new int[0];

    /** A message on its way to this session's client. */
    static final class Delivery {
        final Message message;
        final int qos;
        final boolean retain;
        final int[] subscriptionIds;
        /** The shared subscription group it came through, or null. */
        final SubscriptionTree.SharedGroup sharedGroup;
        int packetId;
        boolean released; // QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP
        boolean intercepted; // outbound interceptors already saw it

        Delivery(Message message, int qos, boolean retain, int[] subscriptionIds,
                SubscriptionTree.SharedGroup sharedGroup) {
            this.message = message;
            this.qos = qos;
            this.retain = retain;
            this.subscriptionIds = subscriptionIds == null ? NO_IDS : subscriptionIds;
            this.sharedGroup = sharedGroup;
        }

        OutboundPublish toPublish(long nowMillis, boolean dup) {
            return new OutboundPublish(packetId, message.topic(), message.payload(), qos, retain, dup,
                    message.remainingExpirySeconds(nowMillis), message.properties(), subscriptionIds);
        }
    }

    final String clientId;
    private final BrokerCore core;

    /** The connection that owns the session; written under the registry lock only. */
    volatile ClientConnection owner;
    /** Session expiry interval in seconds; written under the registry lock or in the mailbox. */
    volatile long expirySeconds;
    /** Who the session's client is (set when a connection opens; for services and events). */
    volatile ClientIdentity identity;
    /** A copy of the subscriptions (filter to QoS) that other threads may read. */
    volatile Map<String, Integer> subscriptionSnapshot = Map.of();
    /** Whether a connection is attached (read by shared subscription groups). */
    private volatile boolean online;

    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Executor executor;

    // --- state below is touched only by mailbox tasks ---
    private ClientConnection target;
    private int window = 1;
    private boolean unflushed;
    private boolean discarded;
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    private final LinkedHashMap<Integer, Delivery> inflight = new LinkedHashMap<>();
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    private final Set<Integer> incomingQos2 = new HashSet<>();
    private int lastPacketId;
    private long dropped;
    private ScheduledFuture<?> expiryTimer;
    private WillMessage pendingWill;
    private ClientIdentity pendingWillOwner;
    private ScheduledFuture<?> willTimer;

    Session(String clientId, long expirySeconds, BrokerCore core) {
        this.clientId = clientId;
        this.expirySeconds = expirySeconds;
        this.core = core;
        this.executor = core.offlineExecutor(clientId);
    }

    boolean isOnline() {
        return online;
    }

    /** Runs {@code task} on this session's thread, after the tasks submitted before it. */
    void submit(Runnable task) {
        mailbox.add(task);
        if (scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // the broker is stopping: the executor is gone and so is the session's future
            scheduled.set(false);
        }
    }

    private void drain() {
        int ran = 0;
        Runnable task;
        while (ran < DRAIN_BATCH && (task = mailbox.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Session of client '{}': internal error, continuing", clientId, e);
            }
            ran++;
        }
        flushIfNeeded();
        scheduled.set(false);
        if (!mailbox.isEmpty() && scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void flushIfNeeded() {
        if (unflushed && target != null) {
            unflushed = false;
            target.flush();
        }
    }

    // ---- tasks (run on the session's thread) ----

    /** Makes {@code connection} the delivery target: resend what is unacknowledged, then the queue. */
    void attach(ClientConnection connection, int receiveMaximum) {
        if (discarded) {
            return;
        }
        cancelTimers();
        target = connection;
        online = true;
        window = Math.max(1, Math.min(core.settings().maxInflightMessages(), receiveMaximum));
        executor = connection.executor();
        long now = System.currentTimeMillis();
        for (Iterator<Delivery> it = inflight.values().iterator(); it.hasNext();) {
            Delivery d = it.next();
            if (d.released) {
                connection.sendPubrel(d.packetId);
            } else if (!connection.sendPublish(d.toPublish(now, true))) {
                it.remove(); // too large for this client: behave as if delivered
            }
            unflushed = true;
        }
        drainQueue();
    }

    /** The connection ended: keep state for a session that outlives it, forget it otherwise. */
    void detach(ClientConnection connection) {
        if (target != connection) {
            return; // a newer connection already took over
        }
        flushIfNeeded();
        target = null;
        online = false;
        executor = core.offlineExecutor(clientId);
        handOverSharedDeliveries();
        long expiry = expirySeconds;
        if (expiry == 0) {
            discard(); // the registry already forgot it (BrokerCore.detach)
        } else if (expiry != ConnectRequest.NEVER_EXPIRES) {
            expiryTimer = core.schedule(() -> core.expire(this), expiry, TimeUnit.SECONDS);
        }
    }

    /**
     * Messages that reached this session through a shared subscription and are not yet
     * delivered go to another member of their group when the client leaves (QoS 2 messages the
     * client already received, PUBREC'd, stay).
     */
    private void handOverSharedDeliveries() {
        List<Delivery> moving = new ArrayList<>();
        for (Iterator<Delivery> it = inflight.values().iterator(); it.hasNext();) {
            Delivery d = it.next();
            if (d.sharedGroup != null && !d.released) {
                moving.add(d);
                it.remove();
            }
        }
        for (Iterator<Delivery> it = queue.iterator(); it.hasNext();) {
            Delivery d = it.next();
            if (d.sharedGroup != null) {
                moving.add(d);
                it.remove();
            }
        }
        for (Delivery d : moving) {
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
        cancelTimers();
        WillMessage will = pendingWill;
        if (will != null) {
            pendingWill = null;
            core.publishWill(pendingWillOwner, will);
        }
        for (Subscription s : subscriptions.values()) {
            core.subscriptions().unsubscribe(s.filter(), s.shareName(), this);
        }
        subscriptions.clear();
        inflight.clear();
        queue.clear();
        incomingQos2.clear();
        target = null;
    }

    boolean isDiscarded() {
        return discarded;
    }

    private void cancelTimers() {
        if (expiryTimer != null) {
            expiryTimer.cancel(false);
            expiryTimer = null;
        }
        if (willTimer != null) {
            willTimer.cancel(false);
            willTimer = null;
        }
        pendingWill = null; // a new connection cancels a delayed will
    }

    /** Holds a will until its delay passes or the session ends, whichever comes first. */
    void delayWill(ClientIdentity owner, WillMessage will) {
        if (discarded) {
            core.publishWill(owner, will);
            return;
        }
        pendingWill = will;
        pendingWillOwner = owner;
        willTimer = core.schedule(() -> submit(() -> {
            if (pendingWill == will) {
                pendingWill = null;
                willTimer = null;
                core.publishWill(owner, will);
            }
        }), will.delaySeconds(), TimeUnit.SECONDS);
    }

    /** The last outbound interception of this session; keeps deliveries in order. */
    private java.util.concurrent.CompletableFuture<Void> outboundTail = java.util.concurrent.CompletableFuture.completedFuture(null);

    /** Delivers a routed message at the QoS already reduced to the subscription's maximum. */
    void deliver(Delivery d) {
        if (discarded) {
            return;
        }
        ClientIdentity who = identity;
        if (!d.intercepted && who != null && core.hasOutboundInterceptors()) {
            Message m = d.message;
            PluginOutputs.Publish copy = new PluginOutputs.Publish(m.topic(), m.payload(), d.qos, d.retain,
                    m.remainingExpirySeconds(System.currentTimeMillis()), m.properties());
            outboundTail = outboundTail.thenCompose(v -> core.interceptOutbound(who, copy)).thenAccept(out -> submit(() -> {
                if (out.dropReason != null) {
                    core.events.messageDropped(who, m.topic(), "dropped by a plugin: " + out.dropReason);
                    return;
                }
                PluginOutputs.Publish p = out.publish;
                Message changed = new Message(p.topic, p.payload, m.qos(), p.retain, p.properties(),
                        p.messageExpiry == null ? Long.MAX_VALUE : System.currentTimeMillis() + p.messageExpiry * 1000L,
                        m.publisherId());
                Delivery intercepted = new Delivery(changed, Math.min(d.qos, p.qos), p.retain, d.subscriptionIds,
                        d.sharedGroup);
                intercepted.intercepted = true;
                deliver(intercepted);
            })).toCompletableFuture();
            return;
        }
        long now = System.currentTimeMillis();
        if (d.message.isExpired(now)) {
            return;
        }
        if (d.qos == 0) {
            if (target != null) {
                target.sendPublish(d.toPublish(now, false));
                unflushed = true;
            } else if (expirySeconds != 0 && core.settings().queueQos0Messages()) {
                enqueue(d);
            }
            return;
        }
        if (target != null && queue.isEmpty() && inflight.size() < window) {
            sendNew(d, now);
        } else if (expirySeconds != 0 || target != null) {
            enqueue(d);
        }
    }

    private void enqueue(Delivery d) {
        int limit = core.settings().maxQueuedMessages();
        if (queue.size() >= limit && !dropExpiredOrQos0()) {
            dropped++;
            core.countDropped();
            if (identity != null) {
                core.events.messageDropped(identity, d.message.topic(), "queue full (max_queued_messages)");
            }
            if (dropped == 1 || dropped % 1000 == 0) {
                LOG.warn("Client '{}': queue full (max_queued_messages = {}), dropped {} message(s) so far",
                        clientId, limit, dropped);
            }
            return;
        }
        queue.add(d);
    }

    /** Makes room: expired messages first, then QoS 0 ones. */
    private boolean dropExpiredOrQos0() {
        long now = System.currentTimeMillis();
        if (queue.removeIf(d -> d.message.isExpired(now))) {
            return true;
        }
        for (Iterator<Delivery> it = queue.iterator(); it.hasNext();) {
            if (it.next().qos == 0) {
                it.remove();
                dropped++;
                core.countDropped();
                return true;
            }
        }
        return false;
    }

    private void drainQueue() {
        long now = System.currentTimeMillis();
        while (target != null && !queue.isEmpty()) {
            Delivery next = queue.peek();
            if (next.message.isExpired(now)) {
                queue.poll();
                continue;
            }
            if (next.qos > 0 && inflight.size() >= window) {
                return;
            }
            queue.poll();
            if (next.qos == 0) {
                target.sendPublish(next.toPublish(now, false));
                unflushed = true;
            } else {
                sendNew(next, now);
            }
        }
    }

    private void sendNew(Delivery d, long now) {
        d.packetId = nextPacketId();
        unflushed = true;
        if (target.sendPublish(d.toPublish(now, false))) {
            inflight.put(d.packetId, d);
        }
    }

    private int nextPacketId() {
        do {
            lastPacketId = lastPacketId == 65535 ? 1 : lastPacketId + 1;
        } while (inflight.containsKey(lastPacketId));
        return lastPacketId;
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2) ends an outgoing message. */
    void acknowledged(int packetId) {
        if (inflight.remove(packetId) != null) {
            drainQueue();
        }
    }

    /** PUBREC: the client has the QoS 2 message; answer PUBREL and wait for PUBCOMP. */
    void received(int packetId, boolean failed) {
        Delivery d = inflight.get(packetId);
        if (failed) {
            // an MQTT 5 PUBREC with an error reason ends the exchange
            if (inflight.remove(packetId) != null) {
                drainQueue();
            }
            return;
        }
        if (d != null) {
            d.released = true;
        }
        if (target != null) {
            target.sendPubrel(packetId);
            unflushed = true;
        }
    }

    /** Records an incoming QoS 2 packet id; false when it is a duplicate already routed. */
    boolean beginIncomingQos2(int packetId) {
        return incomingQos2.add(packetId);
    }

    boolean endIncomingQos2(int packetId) {
        return incomingQos2.remove(packetId);
    }

    /** Adds or replaces a subscription; returns whether it existed. */
    boolean addSubscription(Subscription subscription) {
        if (discarded) {
            return false;
        }
        String key = key(subscription.filter(), subscription.shareName());
        boolean existed = subscriptions.put(key, subscription) != null;
        core.subscriptions().subscribe(subscription);
        snapshotSubscriptions();
        return existed;
    }

    boolean removeSubscription(String filter, String shareName) {
        if (subscriptions.remove(key(filter, shareName)) != null) {
            core.subscriptions().unsubscribe(filter, shareName, this);
            snapshotSubscriptions();
            return true;
        }
        return false;
    }

    private void snapshotSubscriptions() {
        Map<String, Integer> copy = new HashMap<>();
        subscriptions.forEach((k, s) -> copy.put(k, s.qos()));
        subscriptionSnapshot = Map.copyOf(copy);
    }

    private static String key(String filter, String shareName) {
        return shareName == null ? filter : "$share/" + shareName + "/" + filter;
    }

    /** Marks that the target has unflushed writes (for writes made by callbacks). */
    void markWritten() {
        unflushed = true;
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
