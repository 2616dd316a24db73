package io.meridianmq.broker.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.OutboundPublish;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one MQTT session: subscriptions, messages in flight to the client, messages queued
 * while it is offline or its in-flight window is full, and incoming QoS 2 packet ids.
 *
 * <p>Single writer: all state is changed by tasks run one at a time from this session's mailbox
 * ({@link #submit}), on the connection's event loop while connected and on an offline executor
 * chosen by client id otherwise. Other threads never touch the state directly, so nothing here
 * is locked. Only {@link #owner} is written outside the mailbox, under the registry lock.
 */
final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    private static final int DRAIN_BATCH = 256;

    /** A message sent to the client and not yet fully acknowledged. */
    private static final class Inflight {
        final OutboundPublish publish;
        boolean released; // QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP

        Inflight(OutboundPublish publish) {
            this.publish = publish;
        }
    }

    /** A message waiting for the client to come back or for room in the in-flight window. */
    private record Queued(String topic, byte[] payload, int qos, boolean retain) {
    }

    final String clientId;
    final boolean persistent;
    private final BrokerCore core;

    /** The connection that owns the session; written under the registry lock only. */
    volatile ClientConnection owner;

    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Executor executor;

    // --- state below is touched only by mailbox tasks ---
    private ClientConnection target;
    private boolean unflushed;
    private boolean discarded;
    private final Map<String, Integer> subscriptions = new HashMap<>();
    private final LinkedHashMap<Integer, Inflight> inflight = new LinkedHashMap<>();
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final Set<Integer> incomingQos2 = new HashSet<>();
    private int lastPacketId;
    private long dropped;

    Session(String clientId, boolean persistent, BrokerCore core) {
        this.clientId = clientId;
        this.persistent = persistent;
        this.core = core;
        this.executor = core.offlineExecutor(clientId);
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
    void attach(ClientConnection connection) {
        if (discarded) {
            return;
        }
        target = connection;
        executor = connection.executor();
        for (Inflight f : inflight.values()) {
            if (f.released) {
                connection.sendPubrel(f.publish.packetId());
            } else {
                OutboundPublish p = f.publish;
                connection.sendPublish(new OutboundPublish(p.packetId(), p.topic(), p.payload(), p.qos(), p.retain(), true));
            }
            unflushed = true;
        }
        drainQueue();
    }

    /** The connection ended: keep state for a persistent session, forget it otherwise. */
    void detach(ClientConnection connection) {
        if (target != connection) {
            return; // a newer connection already took over
        }
        flushIfNeeded();
        target = null;
        executor = core.offlineExecutor(clientId);
        if (!persistent) {
            discard();
        }
    }

    /** Ends the session: its subscriptions leave the tree and its messages are dropped. */
    void discard() {
        if (discarded) {
            return;
        }
        discarded = true;
        for (String filter : subscriptions.keySet()) {
            core.subscriptions().unsubscribe(filter, this);
        }
        subscriptions.clear();
        inflight.clear();
        queue.clear();
        incomingQos2.clear();
        target = null;
    }

    /** Delivers a routed message at the QoS already reduced to the subscription's maximum. */
    void deliver(String topic, byte[] payload, int qos, boolean retain) {
        if (discarded) {
            return;
        }
        if (qos == 0) {
            if (target != null) {
                target.sendPublish(new OutboundPublish(0, topic, payload, 0, retain, false));
                unflushed = true;
            } else if (persistent && core.settings().queueQos0Messages()) {
                enqueue(new Queued(topic, payload, 0, retain));
            }
            return;
        }
        if (target != null && queue.isEmpty() && inflight.size() < core.settings().maxInflightMessages()) {
            sendNew(topic, payload, qos, retain);
        } else if (persistent || target != null) {
            enqueue(new Queued(topic, payload, qos, retain));
        }
    }

    private void enqueue(Queued message) {
        int limit = core.settings().maxQueuedMessages();
        if (queue.size() >= limit) {
            if (!dropQueuedQos0()) {
                dropped++;
                core.countDropped();
                if (dropped == 1 || dropped % 1000 == 0) {
                    LOG.warn("Client '{}': queue full (max_queued_messages = {}), dropped {} message(s) so far",
                            clientId, limit, dropped);
                }
                return;
            }
        }
        queue.add(message);
    }

    /** QoS 0 goes first when the queue is full. */
    private boolean dropQueuedQos0() {
        for (Iterator<Queued> it = queue.iterator(); it.hasNext();) {
            if (it.next().qos() == 0) {
                it.remove();
                dropped++;
                core.countDropped();
                return true;
            }
        }
        return false;
    }

    private void drainQueue() {
        int max = core.settings().maxInflightMessages();
        while (target != null && !queue.isEmpty()) {
            Queued next = queue.peek();
            if (next.qos() > 0 && inflight.size() >= max) {
                return;
            }
            queue.poll();
            if (next.qos() == 0) {
                target.sendPublish(new OutboundPublish(0, next.topic(), next.payload(), 0, next.retain(), false));
                unflushed = true;
            } else {
                sendNew(next.topic(), next.payload(), next.qos(), next.retain());
            }
        }
    }

    private void sendNew(String topic, byte[] payload, int qos, boolean retain) {
        int packetId = nextPacketId();
        OutboundPublish publish = new OutboundPublish(packetId, topic, payload, qos, retain, false);
        inflight.put(packetId, new Inflight(publish));
        target.sendPublish(publish);
        unflushed = true;
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
    void received(int packetId) {
        Inflight f = inflight.get(packetId);
        if (f != null) {
            f.released = true;
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

    void endIncomingQos2(int packetId) {
        incomingQos2.remove(packetId);
    }

    /** Adds or replaces a subscription; retained messages are sent by the caller. */
    void addSubscription(String filter, int qos) {
        if (discarded) {
            return;
        }
        subscriptions.put(filter, qos);
        core.subscriptions().subscribe(filter, this, qos);
    }

    void removeSubscription(String filter) {
        if (subscriptions.remove(filter) != null) {
            core.subscriptions().unsubscribe(filter, this);
        }
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
