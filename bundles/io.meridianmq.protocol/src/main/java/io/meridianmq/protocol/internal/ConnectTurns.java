package io.meridianmq.protocol.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many new connections are worked on at once, from accept to CONNACK ({@code max_connecting}):
 * the others wait their turn, accepted and registered but their bytes unread, first come first
 * served. A storm of connects is then handled a few dozen at a time, so that an event loop
 * never has thousands of TLS handshakes and CONNECTs ready in one turn while the clients
 * already connected wait behind them; the waiting connections hold no place in the kernel's
 * accept queue, so none of them has to repeat its TCP handshake.
 *
 * <p>A connection gives its turn back at CONNACK, when it ends, or once it has held it for
 * {@link #LEASE_NANOS} (one waiting on a slow authentication plugin, or an idle one that sends
 * nothing, keeps no one else waiting for long); and one that has waited {@link #maxWaitNanos}
 * is read without a turn: a flood of connections that send nothing, ahead of a client in the
 * queue, delays it by that much at most.
 *
 * <p>Threading: any thread; a turn is handed to a waiting connection on its own event loop.
 */
final class ConnectTurns {

    /** A connection keeps its turn at most this long (it goes on all the same, no longer counted). */
    static final long LEASE_NANOS = 250_000_000L;

    /** The longest a connection waits for a turn: 2 s, or half its {@code connect_timeout} if that is less. */
    static long maxWaitNanos(int connectTimeoutSeconds) {
        return Math.min(2_000_000_000L, connectTimeoutSeconds * 500_000_000L);
    }

    /** Something waiting for a turn. */
    interface Waiter {
        /** It has a turn now (from any thread); it gives it back if it no longer needs it. */
        void turnGiven();
    }

    /** The most connections worked on at once; 0 for no limit. */
    private volatile int max;
    private final AtomicInteger held = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiter> waiting = new ConcurrentLinkedQueue<>();

    ConnectTurns(int max) {
        this.max = max;
    }

    /** A new limit (0: none); connections waiting get the turns it frees at once. */
    void max(int max) {
        this.max = max;
        passOn();
    }

    /** Takes a turn at once, or queues {@code w} (which is then given one later) and returns false. */
    boolean takeOrWait(Waiter w) {
        if (waiting.isEmpty() && take()) {
            return true;
        }
        waiting.add(w);
        passOn(); // a turn may have come free since
        return false;
    }

    /** A turn ends (CONNACK, the connection ended, or its lease ran out). */
    void giveBack() {
        held.decrementAndGet();
        passOn();
    }

    /** Connections waiting for a turn (for tests and statistics). */
    int waiting() {
        return waiting.size();
    }

    private boolean take() {
        while (true) {
            int limit = max;
            int now = held.get();
            if (limit > 0 && now >= limit) {
                return false;
            }
            if (held.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    private void passOn() {
        while (!waiting.isEmpty() && take()) {
            Waiter next = waiting.poll();
            if (next == null) {
                held.decrementAndGet(); // another thread served the last one
            } else {
                next.turnGiven();
            }
        }
    }
}
