package io.meridianmq.protocol.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Checks the time limits of one event loop's connections (the connect deadline until CONNACK,
 * the keep alive after it) four times a second, instead of a task per connection in the loop's
 * timer queue: such a task costs an idle connection 64 bytes, and every connect and disconnect
 * a push into and a removal from a heap of every connection's timers. A limit is acted on at
 * most a quarter of a second after it passed.
 *
 * <p>Threading: its event loop only; {@link #of} is called on that loop.
 */
final class DeadlineSweep implements Runnable {

    /** One connection's limit, watched by its loop's sweep. Its event loop only. */
    abstract static class Deadline {
        /** Where it is in its sweep's array; -1 while not watched. */
        private int place = -1;

        /** Whether the limit has passed at {@code nowNanos} ({@link System#nanoTime}). */
        abstract boolean due(long nowNanos);

        /** The limit passed; the deadline is no longer watched. */
        abstract void expired();
    }

    static final long TICK_MILLIS = 250;
    private static final int FIRST_CAPACITY = 64;

    private static final FastThreadLocal<DeadlineSweep> PER_LOOP = new FastThreadLocal<>();

    private final EventLoop loop;
    /** The deadlines watched, in no order; [0, size) are used. Event loop. */
    private Deadline[] watched = new Deadline[FIRST_CAPACITY];
    private int size;
    /** Whether the next sweep is scheduled (none while nothing is watched). Event loop. */
    private boolean scheduled;

    private DeadlineSweep(EventLoop loop) {
        this.loop = loop;
    }

    /** The sweep of {@code loop}, which must be the calling thread's. */
    static DeadlineSweep of(EventLoop loop) {
        DeadlineSweep sweep = PER_LOOP.get();
        if (sweep == null || sweep.loop != loop) {
            // a thread runs one loop for its life; a test's embedded loops follow one another on one thread
            sweep = new DeadlineSweep(loop);
            PER_LOOP.set(sweep);
        }
        return sweep;
    }

    /** Starts watching {@code d} (not watched yet). */
    void add(Deadline d) {
        if (size == watched.length) {
            watched = Arrays.copyOf(watched, size * 2);
        }
        d.place = size;
        watched[size++] = d;
        if (!scheduled) {
            scheduled = true;
            loop.schedule(this, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops watching {@code d}; nothing happens if it is not watched (it expired, or was removed). */
    void remove(Deadline d) {
        int place = d.place;
        if (place < 0 || place >= size || watched[place] != d) {
            return;
        }
        d.place = -1;
        int last = --size;
        if (place != last) {
            Deadline moved = watched[last];
            watched[place] = moved;
            moved.place = place;
        }
        watched[last] = null;
        if (watched.length > FIRST_CAPACITY && size < watched.length / 4) {
            watched = Arrays.copyOf(watched, watched.length / 2);
        }
    }

    /** How many deadlines are watched (for tests). */
    int size() {
        return size;
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        List<Deadline> due = null;
        for (int i = 0; i < size; i++) {
            if (watched[i].due(now)) {
                if (due == null) {
                    due = new ArrayList<>();
                }
                due.add(watched[i]);
            }
        }
        if (due != null) {
            due.forEach(this::remove);
            // only now: ending a connection may remove or add deadlines
            due.forEach(Deadline::expired);
        }
        scheduled = size > 0;
        if (scheduled) {
            loop.schedule(this, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
