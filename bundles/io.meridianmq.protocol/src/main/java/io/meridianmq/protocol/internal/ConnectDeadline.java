package io.meridianmq.protocol.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Gives a new connection {@code connect_timeout} seconds from accept to be accepted (CONNECT,
 * any AUTH exchange, CONNACK), whatever it sends meanwhile: Netty's idle handlers start again
 * on every read, so a client trickling one byte every few seconds would never be closed. At the
 * deadline it fires a reader-idle event, which {@link MqttConnection} answers by closing the
 * connection with a log line; {@code MqttConnection} removes this handler at CONNACK.
 *
 * <p>Threading: the channel's event loop.
 */
final class ConnectDeadline extends ChannelInboundHandlerAdapter {

    private final int seconds;
    private ScheduledFuture<?> deadline;

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
            deadline = ctx.executor().schedule(() -> {
                if (ctx.channel().isActive()) {
                    ctx.fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
                }
            }, seconds, TimeUnit.SECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /** For log lines: how long a connection has to be accepted. */
    int seconds() {
        return seconds;
    }
}
