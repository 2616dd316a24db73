package io.meridianmq.protocol.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Ends the connection of a client that sent nothing for 1.5 times its keep alive: one timer on
 * the connection's event loop that re-arms itself from the last read, instead of a pipeline
 * handler (Netty's IdleStateHandler, its context and its task cost an idle connection about
 * 200 bytes more).
 *
 * <p>Threading: the connection's event loop only.
 */
final class KeepAliveTimer implements Runnable {

    private final EventLoop loop;
    private final long limitNanos;
    private final Runnable expired;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;
    private boolean stopped;

    KeepAliveTimer(EventLoop loop, long limitMillis, Runnable expired) {
        this.loop = loop;
        this.limitNanos = TimeUnit.MILLISECONDS.toNanos(limitMillis);
        this.expired = expired;
        this.lastReadNanos = System.nanoTime();
        this.timer = loop.schedule(this, limitNanos, TimeUnit.NANOSECONDS);
    }

    /** Bytes arrived from the client (after each read). */
    void read() {
        lastReadNanos = System.nanoTime();
    }

    @Override
    public void run() {
        if (stopped) {
            return;
        }
        long silent = System.nanoTime() - lastReadNanos;
        if (silent >= limitNanos) {
            stopped = true;
            expired.run();
        } else {
            timer = loop.schedule(this, limitNanos - silent, TimeUnit.NANOSECONDS);
        }
    }

    /** The connection ended. */
    void stop() {
        stopped = true;
        timer.cancel(false);
    }
}
