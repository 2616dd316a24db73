package io.meridianmq.protocol.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttMessage;

/**
 * Sits between Netty's MQTT codec and the {@link MqttConnection} of a traced client and hands
 * each packet in and out to the {@link PacketTrace}; it takes itself out when the trace ends.
 *
 * <p>Threading: the channel's event loop.
 */
final class TraceHandler extends ChannelDuplexHandler {

    static final String NAME = "trace";

    private final PacketTrace trace;
    private final String clientId;

    TraceHandler(PacketTrace trace, String clientId) {
        this.trace = trace;
        this.clientId = clientId;
    }

    /** Puts a trace handler before {@code connection} in its pipeline, unless one is there already. */
    static void insertBefore(ChannelHandlerContext connection, PacketTrace trace, String clientId) {
        if (connection.pipeline().get(NAME) == null) {
            connection.pipeline().addBefore(connection.name(), NAME, new TraceHandler(trace, clientId));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MqttMessage m && traced(ctx)) {
            trace.packet(clientId, "in ", m);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof MqttMessage m && traced(ctx)) {
            trace.packet(clientId, "out", m);
        }
        ctx.write(msg, promise);
    }

    private boolean traced(ChannelHandlerContext ctx) {
        if (trace.traces(clientId)) {
            return true;
        }
        ctx.pipeline().remove(this);
        return false;
    }
}
