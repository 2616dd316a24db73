package io.meridianmq.protocol.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;

/**
 * Ends the connection of a client that sent nothing for 1.5 times its keep alive: a deadline in
 * its event loop's {@link DeadlineSweep}, moved on by every read, instead of a pipeline handler
 * (Netty's IdleStateHandler, its context and its task cost an idle connection about 200 bytes
 * more) or a timer of its own (64 bytes more).
 *
 * <p>Threading: the connection's event loop only.
 */
final class KeepAliveTimer extends DeadlineSweep.Deadline {

    private final DeadlineSweep sweep;
    private final long limitNanos;
    private final Runnable expired;
    private long lastReadNanos;

    /** Starts watching; called on {@code loop}. */
    KeepAliveTimer(EventLoop loop, long limitMillis, Runnable expired) {
        this.sweep = DeadlineSweep.of(loop);
        this.limitNanos = TimeUnit.MILLISECONDS.toNanos(limitMillis);
        this.expired = expired;
        this.lastReadNanos = System.nanoTime();
        sweep.add(this);
    }

    /** Bytes arrived from the client (after each read). */
    void read() {
        lastReadNanos = System.nanoTime();
    }

    @Override
    boolean due(long nowNanos) {
        return nowNanos - lastReadNanos >= limitNanos;
    }

    @Override
    void expired() {
        expired.run();
    }

    /** The connection ended. */
    void stop() {
        sweep.remove(this);
    }
}
