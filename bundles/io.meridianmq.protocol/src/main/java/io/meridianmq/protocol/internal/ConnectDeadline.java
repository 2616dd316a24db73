package io.meridianmq.protocol.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Gives a new connection {@code connect_timeout} seconds from accept to be accepted (CONNECT,
 * any AUTH exchange, CONNACK), whatever it sends meanwhile: Netty's idle handlers start again
 * on every read, so a client trickling one byte every few seconds would never be closed. At the
 * deadline it fires a reader-idle event, which {@link MqttConnection} answers by closing the
 * connection with a log line; {@code MqttConnection} removes this handler at CONNACK. The
 * deadline is watched by the loop's {@link DeadlineSweep}, not a timer task of its own.
 *
 * <p>Threading: the channel's event loop.
 */
final class ConnectDeadline extends ChannelInboundHandlerAdapter {

    private final int seconds;
    /** Set once the connection is active. Event loop. */
    private Watched deadline;

    ConnectDeadline(int seconds) {
        this.seconds = seconds;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (deadline == null) {
            deadline = new Watched(ctx, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
            deadline.sweep.add(deadline);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.sweep.remove(deadline);
        }
    }

    /** The deadline in the sweep. */
    private static final class Watched extends DeadlineSweep.Deadline {
        private final ChannelHandlerContext ctx;
        private final DeadlineSweep sweep;
        private final long atNanos;

        Watched(ChannelHandlerContext ctx, long atNanos) {
            this.ctx = ctx;
            this.sweep = DeadlineSweep.of(ctx.channel().eventLoop());
            this.atNanos = atNanos;
        }

        @Override
        boolean due(long nowNanos) {
            return nowNanos - atNanos >= 0;
        }

        @Override
        void expired() {
            if (ctx.channel().isActive()) {
                ctx.fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
            }
        }
    }

    /** For log lines: how long a connection has to be accepted. */
    int seconds() {
        return seconds;
    }
}
