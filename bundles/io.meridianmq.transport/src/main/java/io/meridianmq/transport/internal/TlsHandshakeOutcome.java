package io.meridianmq.transport.internal;

import javax.net.ssl.SSLException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a failed TLS handshake (untrusted, expired or revoked client certificate, plaintext on a
 * TLS port, no common protocol or cipher) with the client's address and the reason, and closes
 * the connection; the MQTT layer never sees the undecodable bytes. Leaves the pipeline once the
 * handshake succeeded.
 */
final class TlsHandshakeOutcome extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshakeOutcome.class);

    private final String listener;
    private boolean logged;

    TlsHandshakeOutcome(String listener) {
        this.listener = listener;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                refused(ctx, done.cause());
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SSLException || (cause instanceof DecoderException && cause.getCause() instanceof SSLException)) {
            refused(ctx, cause);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void refused(ChannelHandlerContext ctx, Throwable cause) {
        if (!logged) {
            logged = true;
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            LOG.warn("TLS handshake with {} on listener '{}' failed, connection closed: {}", ctx.channel().remoteAddress(),
                    listener, root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName());
        }
        ctx.close();
    }
}
