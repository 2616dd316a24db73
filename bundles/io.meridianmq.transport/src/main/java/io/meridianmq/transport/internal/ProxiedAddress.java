package io.meridianmq.transport.internal;

import java.net.InetSocketAddress;

import io.meridianmq.protocol.ListenerOptions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the client's real address from the PROXY protocol header (v1 or v2, decoded by Netty)
 * so that authentication, authorization and logs see it, then steps aside. A connection whose
 * header is missing or malformed is closed with a log line naming the peer.
 */
final class ProxiedAddress extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxiedAddress.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage header) {
            try {
                if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                    ctx.channel().attr(ListenerOptions.PROXIED_ADDRESS)
                            .set(new InetSocketAddress(header.sourceAddress(), header.sourcePort()));
                }
            } finally {
                header.release();
            }
            ctx.pipeline().remove(this);
            if (ctx.pipeline().get(ProxyHeaderWatch.class) != null) {
                ctx.pipeline().remove(ProxyHeaderWatch.class);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException || cause.getCause() instanceof HAProxyProtocolException) {
            LOG.warn("Closing the connection from {}: malformed PROXY protocol header ({})", ctx.channel().remoteAddress(),
                    cause.getMessage());
            if (ctx.pipeline().get(ProxyHeaderWatch.class) != null) {
                ctx.pipeline().remove(ProxyHeaderWatch.class); // reported here already
            }
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
