package io.meridianmq.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits in front of the PROXY protocol decoder until the header is complete ({@link ProxiedAddress}
 * removes it then) and reports a connection that ends in the middle of its header. A connection
 * that closes before sending anything (a load balancer's health check) is not reported.
 */
final class ProxyHeaderWatch extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyHeaderWatch.class);

    private long received;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            received += bytes.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (received > 0) {
            LOG.warn("Connection from {} closed with a truncated PROXY protocol header ({} byte(s), no end)",
                    ctx.channel().remoteAddress(), received);
        }
        ctx.fireChannelInactive();
    }
}
