package io.meridianmq.protocol.internal;

import io.netty.handler.codec.DecoderException;

/** A packet that breaks the MQTT framing rules; the connection is closed. */
final class MalformedPacketException extends DecoderException {

    private static final long serialVersionUID = 1L;

    MalformedPacketException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a client's mistake, not ours: the message says it all
    }
}
