package io.meridianmq.broker.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Which replicated batches the cluster confirmed, so that an action can wait for every batch
 * submitted before it (they complete out of order), and learn whether one of them failed.
 *
 * <p>Thread-safe: batches start on any thread and complete on the cluster's threads; one lock,
 * held briefly, never on the publish path of a single node.
 */
final class ReplicationProgress {

    private record Waiter(long target, long lowestPending, Runnable onDone, Runnable onFailed) {
    }

    private long submitted; // guarded by this
    private final TreeSet<Long> pending = new TreeSet<>(); // guarded by this
    private final TreeSet<Long> failed = new TreeSet<>(); // guarded by this; pruned as waiters go
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by this, in target order

    /** A batch goes out; returns its number for {@link #completed}. */
    synchronized long begin() {
        long n = ++submitted;
        pending.add(n);
        return n;
    }

    /** How many batches are still unconfirmed. */
    synchronized long pending() {
        return pending.size();
    }

    /** Whether any batch is still unconfirmed (nothing to wait for otherwise). */
    synchronized boolean idle() {
        return pending.isEmpty();
    }

    void completed(long n, boolean ok) {
        List<Runnable> run = new ArrayList<>();
        synchronized (this) {
            pending.remove(n);
            if (!ok) {
                failed.add(n);
            }
            long lowest = pending.isEmpty() ? Long.MAX_VALUE : pending.first();
            while (!waiters.isEmpty() && waiters.peek().target < lowest) {
                Waiter w = waiters.poll();
                boolean anyFailed = !failed.subSet(w.lowestPending, true, w.target, true).isEmpty();
                run.add(anyFailed ? w.onFailed : w.onDone);
            }
            long keepFrom = waiters.isEmpty() ? lowest : Math.min(lowest, waiters.peek().lowestPending);
            failed.headSet(keepFrom).clear();
        }
        run.forEach(Runnable::run);
    }

    /** Runs {@code onDone} once every batch begun so far is confirmed, {@code onFailed} if one failed. */
    void whenConfirmed(Runnable onDone, Runnable onFailed) {
        synchronized (this) {
            if (!pending.isEmpty()) {
                waiters.add(new Waiter(submitted, pending.first(), onDone, onFailed));
                return;
            }
        }
        onDone.run();
    }
}
