package io.meridianmq.transport.internal;

import java.util.Set;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a WebSocket upgrade whose {@code Origin} (the web page a browser opened it from) is not
 * in the listener's {@code allowed_origins}, with 403 and a log line naming the peer and the
 * origin: without it, any web site a user visits could open an MQTT connection to a broker the
 * user's browser can reach. A request without {@code Origin} is not from a browser page and is let
 * through (non-browser clients send none). Steps aside after the first request.
 *
 * <p>Threading: the channel's event loop.
 */
final class OriginCheck extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(OriginCheck.class);

    private final String listenerName;
    private final Set<String> allowed;

    OriginCheck(String listenerName, Set<String> allowed) {
        this.listenerName = listenerName;
        this.allowed = allowed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (origin != null && !allowed.contains(origin.trim().toLowerCase(java.util.Locale.ROOT))) {
                LOG.warn("WebSocket upgrade from {} refused on listener '{}': Origin '{}' is not in allowed_origins {}",
                        ctx.channel().remoteAddress(), listenerName, origin, allowed);
                ReferenceCountUtil.release(request);
                DefaultFullHttpResponse forbidden = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.FORBIDDEN, Unpooled.EMPTY_BUFFER);
                forbidden.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(forbidden).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }
}
