package io.meridianmq.broker.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serial executor: runs the tasks given to it one at a time, in order (urgent ones first), on
 * an executor that can be changed; after a change the next task runs on the new executor, never
 * on the old one, so that the owner of the state the tasks touch changes cleanly.
 *
 * <p>{@link #submit} and {@link #submitUrgent} are called from any thread; {@link #moveTo} only
 * from a task of this mailbox (or before its first task), so that a move is ordered with the
 * tasks around it.
 */
final class Mailbox {

    private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);
    /** Tasks run in one go before the thread is given back to its executor (fairness). */
    private static final int BATCH = 256;

    private final String owner;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /**
     * Acknowledgements from the client: run before the next waiting task, so that a mailbox full
     * of deliveries does not hold up the PUBACKs that free the in-flight window. Null until the
     * first one (a session that receives nothing at QoS 1 or 2 never needs it), then kept.
     */
    private volatile ConcurrentLinkedQueue<Runnable> urgent;
    @SuppressWarnings("rawtypes") // the updater's field type is the raw class
    private static final AtomicReferenceFieldUpdater<Mailbox, ConcurrentLinkedQueue> URGENT =
            AtomicReferenceFieldUpdater.newUpdater(Mailbox.class, ConcurrentLinkedQueue.class, "urgent");
    /**
     * 1 while a drain is scheduled or running: at most one runs at a time. A field with an updater
     * rather than an AtomicBoolean: one object fewer for each of the broker's sessions.
     */
    private volatile int scheduled;
    private static final AtomicIntegerFieldUpdater<Mailbox> SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(Mailbox.class, "scheduled");
    /** Runs after each batch, on the batch's thread (the session flushes its writes there). */
    private final Runnable afterBatch;
    /** Where the tasks run; written by {@link #moveTo} in a task, read by submitters and the drain. */
    private volatile Executor executor;

    Mailbox(String owner, Executor executor, Runnable afterBatch) {
        this.owner = owner;
        this.executor = executor;
        this.afterBatch = afterBatch;
    }

    /** Runs {@code task} after the tasks submitted before it. Any thread. */
    void submit(Runnable task) {
        tasks.add(task);
        if (SCHEDULED.compareAndSet(this, 0, 1)) {
            schedule();
        }
    }

    /** Runs {@code task} before the waiting tasks (after the one running now). Any thread. */
    void submitUrgent(Runnable task) {
        ConcurrentLinkedQueue<Runnable> first = urgent;
        if (first == null) {
            URGENT.compareAndSet(this, null, new ConcurrentLinkedQueue<Runnable>());
            first = urgent;
        }
        first.add(task);
        if (SCHEDULED.compareAndSet(this, 0, 1)) {
            schedule();
        }
    }

    /**
     * Runs the tasks after the current one on {@code next}: the drain under way stops after this
     * task and continues there. Called from a task of this mailbox.
     */
    void moveTo(Executor next) {
        executor = next;
    }

    Executor executor() {
        return executor;
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // the broker is stopping: the executor is gone and so is the session's future
            scheduled = 0;
        }
    }

    private void drain() {
        Executor runningOn = executor;
        int ran = 0;
        Runnable task;
        while (ran < BATCH && executor == runningOn
                && ((task = pollUrgent()) != null || (task = tasks.poll()) != null)) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Session of client '{}': internal error, continuing", owner, e);
            }
            ran++;
        }
        afterBatch.run();
        if (executor != runningOn && waiting()) {
            schedule(); // still scheduled: the new executor takes over, nobody else can start a drain
            return;
        }
        // nothing waits (or nothing moved): the next submit schedules a drain on the executor now
        // set, so a session that moves with an empty mailbox (a client leaving) costs no trip there
        scheduled = 0;
        if (waiting() && SCHEDULED.compareAndSet(this, 0, 1)) {
            schedule();
        }
    }

    private Runnable pollUrgent() {
        ConcurrentLinkedQueue<Runnable> first = urgent;
        return first == null ? null : first.poll();
    }

    /** Whether a task waits in either queue. */
    private boolean waiting() {
        ConcurrentLinkedQueue<Runnable> first = urgent;
        return !tasks.isEmpty() || (first != null && !first.isEmpty());
    }
}
