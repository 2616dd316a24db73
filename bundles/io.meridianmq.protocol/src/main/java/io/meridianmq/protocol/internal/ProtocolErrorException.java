package io.meridianmq.protocol.internal;

import io.netty.handler.codec.DecoderException;

/** A well-formed packet that breaks a protocol rule (MQTT 5: reason code 0x82). */
final class ProtocolErrorException extends DecoderException {

    private static final long serialVersionUID = 1L;

    ProtocolErrorException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a client's mistake, not ours: the message says it all
    }
}
