package io.meridianmq.transport.internal;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries MQTT over WebSocket: the bytes of binary (and continuation) frames go up to the MQTT
 * codec as they are, however the client split them into frames; what the codec writes goes out
 * as binary frames. Text frames are not MQTT and close the connection (Netty's protocol handler
 * answers pings and close frames itself).
 */
final class WebSocketFrames extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketFrames.class);

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        out.add(new BinaryWebSocketFrame(msg.retain()));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
            out.add(frame.content().retain());
        } else {
            // MQTT over WebSocket uses binary frames only (MQTT 5.0 section 6)
            LOG.warn("WebSocket frame refused from {}: {} is not a binary frame; connection closed",
                    ctx.channel().remoteAddress(), frame.getClass().getSimpleName());
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof CorruptedWebSocketFrameException) {
            // Netty has answered with a close frame (1002 or 1009); this says who and why
            LOG.warn("WebSocket frame refused from {}: {}; connection closed", ctx.channel().remoteAddress(),
                    cause.getMessage());
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }
}
