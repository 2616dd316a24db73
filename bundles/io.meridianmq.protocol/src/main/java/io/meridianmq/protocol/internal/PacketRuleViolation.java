package io.meridianmq.protocol.internal;

import io.meridianmq.broker.DisconnectReason;

/**
 * A client's packet broke a rule of the protocol; the connection ends with {@link #reason}
 * (told to MQTT 5 clients in a DISCONNECT) and the message in the log. No stack trace: it is the
 * client's mistake, and the message says it all.
 */
final class PacketRuleViolation extends Exception {

    private static final long serialVersionUID = 1L;
    final DisconnectReason reason;

    PacketRuleViolation(DisconnectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** A protocol error (0x82), logged as a protocol violation. */
    static PacketRuleViolation protocol(String what) {
        return new PacketRuleViolation(DisconnectReason.PROTOCOL_ERROR, "protocol violation: " + what);
    }
}
