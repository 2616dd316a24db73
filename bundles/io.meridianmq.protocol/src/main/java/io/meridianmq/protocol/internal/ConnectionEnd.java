package io.meridianmq.protocol.internal;

import static io.meridianmq.protocol.internal.PacketProperties.unsignedIntProperty;

import io.meridianmq.broker.DisconnectReason;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodes;

/**
 * How one connection ends: whether its will goes out, the session expiry its DISCONNECT set,
 * why it ended (the first reason wins, for the log line) and how, in the disconnects metric's
 * words.
 *
 * <p>Threading: the channel's event loop only.
 */
final class ConnectionEnd {

    private boolean publishWill = true;
    /** The session expiry the client's DISCONNECT set, or -1 (the CONNECT's stands). */
    private long sessionExpiry = -1;
    private String reason;
    /** The disconnects metric's word for it, or null (the connection was lost). */
    private String kind;

    /**
     * The client's DISCONNECT: no will unless it asks for one (MQTT 5: 0x04), and perhaps a new
     * session expiry. Returns the protocol violation to close with, or null.
     */
    String clientDisconnect(MqttMessage message, boolean v5, long connectSessionExpiry) {
        publishWill = false;
        if (v5 && message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            if (h.reasonCode() == MqttReasonCodes.Disconnect.DISCONNECT_WITH_WILL_MESSAGE.byteValue()) {
                publishWill = true;
                because("DISCONNECT with reason 0x04 (disconnect with will message)", "client_disconnect_with_will");
            }
            long value = unsignedIntProperty(h.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL, -1);
            if (value >= 0) {
                if (connectSessionExpiry == 0 && value != 0) {
                    publishWill = true;
                    return "set a session expiry in DISCONNECT after connecting with session expiry 0";
                }
                sessionExpiry = value;
            }
        }
        return null;
    }

    /** Notes why the connection ends, unless a reason is noted already; true when this one is the first. */
    boolean because(String detail, String how) {
        if (reason != null) {
            return false;
        }
        reason = detail;
        kind = how;
        return true;
    }

    /** {@link #because} for a reason the server ends it with. */
    boolean because(String detail, DisconnectReason how) {
        return because(detail, how.name().toLowerCase(java.util.Locale.ROOT));
    }

    boolean hasReason() {
        return reason != null;
    }

    boolean publishWill() {
        return publishWill;
    }

    long sessionExpiry() {
        return sessionExpiry;
    }

    /** The log line's end: why the connection of an accepted client ended. */
    String describe() {
        return !publishWill ? "disconnected" : "connection closed: " + (reason != null ? reason : "connection lost");
    }

    /** The disconnects metric's word: {@code client_disconnect}, {@code connection_lost}, or the reason's. */
    String kind() {
        return !publishWill ? "client_disconnect" : kind != null ? kind : "connection_lost";
    }
}
