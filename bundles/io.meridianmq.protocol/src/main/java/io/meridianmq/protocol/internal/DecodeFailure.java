package io.meridianmq.protocol.internal;

import io.meridianmq.broker.DisconnectReason;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;

/**
 * What a failure to decode a client's bytes means for its connection: before CONNECT is
 * accepted, a CONNACK with the right return code where the client's version has one; after, a
 * DISCONNECT with the right reason (MQTT 5) or a close; each with the line the log gets.
 *
 * @param refusal the CONNACK return code to refuse with, or null to end with {@code disconnect}
 * @param disconnect the reason to end an accepted (or unversioned) connection with
 */
record DecodeFailure(MqttConnectReturnCode refusal, DisconnectReason disconnect, String reason) {

    /**
     * @param awaitingConnect whether the connection has not sent its CONNECT yet
     * @param v5 whether the codec has seen an MQTT 5 CONNECT (even one that then failed)
     */
    static DecodeFailure of(Throwable cause, boolean awaitingConnect, boolean v5) {
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            String m = String.valueOf(cause.getMessage());
            return awaitingConnect && (m.startsWith("MQTT ") || m.startsWith("MQIsdp "))
                    ? refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                            "unsupported protocol level: " + m)
                    : close(DisconnectReason.PROTOCOL_ERROR, "not an MQTT connection (" + m + ")");
        }
        if (cause instanceof MqttIdentifierRejectedException) {
            return refuse(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                    : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "client identifier rejected: " + cause.getMessage());
        }
        if (cause instanceof ProtocolErrorException) {
            String reason = "protocol error: " + cause.getMessage();
            return awaitingConnect ? refuse(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR, reason)
                    : close(DisconnectReason.PROTOCOL_ERROR, reason);
        }
        boolean tooLarge = cause instanceof TooLongFrameException
                || (cause.getMessage() != null && cause.getMessage().contains("exceeds max_packet_size"));
        String detail = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        if (cause.getCause() != null && cause.getCause().getMessage() != null) {
            detail = cause.getCause().getMessage();
        }
        String reason = "malformed packet: " + (tooLarge ? "too large (" + detail + ")" : detail);
        if (awaitingConnect && v5) {
            return refuse(tooLarge ? MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE
                    : MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET, reason);
        }
        return close(tooLarge ? DisconnectReason.PACKET_TOO_LARGE : DisconnectReason.MALFORMED_PACKET, reason);
    }

    private static DecodeFailure refuse(MqttConnectReturnCode code, String reason) {
        return new DecodeFailure(code, null, reason);
    }

    private static DecodeFailure close(DisconnectReason reason, String detail) {
        return new DecodeFailure(null, reason, detail);
    }
}
