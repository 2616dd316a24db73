package io.meridianmq.broker;

/** Why the server ends a connection, with the MQTT 5 DISCONNECT reason code for each. */
public enum DisconnectReason {
    UNSPECIFIED_ERROR(0x80),
    PROTOCOL_ERROR(0x82),
    MALFORMED_PACKET(0x81),
    NOT_AUTHORIZED(0x87),
    SERVER_BUSY(0x89),
    SERVER_SHUTTING_DOWN(0x8B),
    KEEP_ALIVE_TIMEOUT(0x8D),
    SESSION_TAKEN_OVER(0x8E),
    TOPIC_ALIAS_INVALID(0x94),
    PACKET_TOO_LARGE(0x95),
    RECEIVE_MAXIMUM_EXCEEDED(0x93),
    QUOTA_EXCEEDED(0x97),
    PAYLOAD_FORMAT_INVALID(0x99),
    RETAIN_NOT_SUPPORTED(0x9A),
    QOS_NOT_SUPPORTED(0x9B),
    IMPLEMENTATION_SPECIFIC_ERROR(0x83),
    ADMINISTRATIVE_ACTION(0x98),
    /** The connection outlived what it was allowed, e.g. the token it authenticated with expired. */
    MAXIMUM_CONNECT_TIME(0xA0);

    private final int code;

    DisconnectReason(int code) {
        this.code = code;
    }

    /** The MQTT 5 reason code. */
    public int code() {
        return code;
    }
}
