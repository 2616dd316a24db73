package io.meridianmq.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionState;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a PROXY protocol listener, for a peer that is not a trusted proxy: a connection that starts
 * with a PROXY header (v1 or v2) is closed with a log line naming the peer, since only a trusted
 * proxy may say which address a client has; anything else is a client connecting directly, served
 * under its own address (this handler steps aside after the first bytes). It buffers at most the
 * 16 bytes detection needs.
 */
final class UntrustedProxyHeaderGuard extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(UntrustedProxyHeaderGuard.class);

    private final String listenerName;
    private final TrustedProxies trusted;

    UntrustedProxyHeaderGuard(String listenerName, TrustedProxies trusted) {
        this.listenerName = listenerName;
        this.trusted = trusted;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out) {
        ProtocolDetectionState state = HAProxyMessageDecoder.detectProtocol(in).state();
        if (state == ProtocolDetectionState.NEEDS_MORE_DATA) {
            return;
        }
        if (state == ProtocolDetectionState.DETECTED) {
            LOG.warn("Closing the connection from {} on listener '{}': it sent a PROXY protocol header but is not a "
                    + "trusted proxy (proxy_protocol_trusted = {})", ctx.channel().remoteAddress(), listenerName, trusted);
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this); // a direct client: what it buffered goes on to the MQTT decoder
    }
}
