package io.meridianmq.broker;

/** The outcome of a CONNECT, with the MQTT 3.1.1 CONNACK return code for each. */
public enum ConnectReturnCode {
    ACCEPTED(0),
    UNACCEPTABLE_PROTOCOL_VERSION(1),
    IDENTIFIER_REJECTED(2),
    SERVER_UNAVAILABLE(3),
    BAD_USERNAME_OR_PASSWORD(4),
    NOT_AUTHORIZED(5),
    /** A limit on stored state was reached (MQTT 5: 0x97 quota exceeded; 3.1.1 has only 3, server unavailable). */
    QUOTA_EXCEEDED(3),
    /** The client id, user name or address is banned (MQTT 5: 0x8A banned; 3.1.1: 5, not authorized). */
    BANNED(5);

    private final int mqtt3Code;

    ConnectReturnCode(int mqtt3Code) {
        this.mqtt3Code = mqtt3Code;
    }

    /** The CONNACK return code of MQTT 3.1/3.1.1. */
    public int mqtt3Code() {
        return mqtt3Code;
    }
}
