package io.meridianmq.broker.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one session's publishers should be held back (back pressure), and who to resume when
 * they need not be any more: too many deliveries wait in its mailbox, its client's socket takes
 * no more writes, or (connected) its queue is long. A session congested for longer than
 * {@link #SLOW_CONSUMER_NANOS} is a slow consumer: its publishers go on, and it loses messages at
 * its own limits instead of stalling everybody who publishes to it.
 *
 * <p>Thread-safe: routing asks from publishers' threads, the session reports from its own, the
 * protocol layer reports writability from the connection's event loop.
 */
final class Congestion {

    private static final Logger LOG = LoggerFactory.getLogger(Congestion.class);

    /** Queued messages of a connected client above which its publishers are held back. */
    static final int QUEUE_HIGH = 2000;
    /** Queued messages below which they go on. */
    static final int QUEUE_LOW = 500;
    /** Deliveries above which publishers to this session stop being read (back pressure). */
    static final int BACKLOG_HIGH = 8192;
    /** Deliveries below which they are read again. */
    static final int BACKLOG_LOW = 1024;
    /** How long a session may hold its publishers back before it counts as a slow consumer. */
    static final long SLOW_CONSUMER_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String clientId;
    /** Whether the session's client is connected (an offline queue holds nobody back). */
    private final BooleanSupplier online;
    /** Deliveries submitted and not yet taken in; any thread. */
    private volatile int backlog;
    /** On a field rather than an AtomicInteger: one object fewer for each session. */
    private static final AtomicIntegerFieldUpdater<Congestion> BACKLOG =
            AtomicIntegerFieldUpdater.newUpdater(Congestion.class, "backlog");
    /** The session's queue length (heap and paged); written by the session's thread. */
    private volatile int queueLength;
    /** Whether the client's connection takes more writes now (true when offline); event loop. */
    private volatile boolean writable = true;
    /** When the session became congested (System.nanoTime), 0 while it is not; any thread. */
    private volatile long congestedSinceNanos;
    /**
     * What to run once the session is no longer congested (publishers to resume); null until a
     * publisher first waits (most sessions never hold one back), then kept. Any thread.
     */
    private volatile ConcurrentLinkedQueue<Runnable> whenRelieved;
    @SuppressWarnings("rawtypes") // the updater's field type is the raw class
    private static final AtomicReferenceFieldUpdater<Congestion, ConcurrentLinkedQueue> WHEN_RELIEVED =
            AtomicReferenceFieldUpdater.newUpdater(Congestion.class, ConcurrentLinkedQueue.class, "whenRelieved");

    Congestion(String clientId, BooleanSupplier online) {
        this.clientId = clientId;
        this.online = online;
    }

    /** A delivery was handed to the session's mailbox. Any thread. */
    void deliverySubmitted() {
        BACKLOG.incrementAndGet(this);
    }

    /** The session took a delivery from its mailbox. Session thread. */
    void deliveryTaken() {
        if (BACKLOG.decrementAndGet(this) < BACKLOG_LOW) {
            relieveIfCalm();
        }
    }

    /** The session's queue is {@code length} long now. Session thread. */
    void queueLength(int length) {
        queueLength = length;
        if (length < QUEUE_LOW) {
            relieveIfCalm();
        }
    }

    /** The queue's length as last published; any thread. */
    int queueLength() {
        return queueLength;
    }

    /** The session's queue grew to {@code length} (nobody to relieve). Session thread. */
    void queueGrew(int length) {
        queueLength = length;
    }

    /** The client's connection became writable or not (true also when it went offline). */
    void writabilityChanged(boolean nowWritable) {
        writable = nowWritable;
        if (nowWritable) {
            relieveIfCalm();
        }
    }

    /** Whether publishers should pause now (false, too, for a slow consumer). Any thread. */
    boolean congested() {
        if (backlog <= BACKLOG_HIGH && writable && (!online.getAsBoolean() || queueLength <= QUEUE_HIGH)) {
            return false;
        }
        long since = congestedSinceNanos;
        if (since == 0) {
            congestedSinceNanos = System.nanoTime();
            return true;
        }
        return System.nanoTime() - since < SLOW_CONSUMER_NANOS;
    }

    /** Runs {@code r} (on some thread) once the session is no longer congested; at once if it is not. */
    void whenRelieved(Runnable r) {
        ConcurrentLinkedQueue<Runnable> waiting = whenRelieved;
        if (waiting == null) {
            WHEN_RELIEVED.compareAndSet(this, null, new ConcurrentLinkedQueue<Runnable>());
            waiting = whenRelieved;
        }
        waiting.add(r);
        relieveIfCalm();
    }

    void forgetRelief(Runnable r) {
        ConcurrentLinkedQueue<Runnable> waiting = whenRelieved;
        if (waiting != null) {
            waiting.remove(r);
        }
    }

    private void relieveIfCalm() {
        if (backlog >= BACKLOG_LOW || !writable || (online.getAsBoolean() && queueLength >= QUEUE_LOW)) {
            return;
        }
        congestedSinceNanos = 0;
        ConcurrentLinkedQueue<Runnable> waiting = whenRelieved;
        Runnable r;
        while (waiting != null && (r = waiting.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("Session of client '{}': resuming a publisher failed", clientId, e);
            }
        }
    }
}
