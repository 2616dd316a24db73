package io.meridianmq.protocol.internal;

import io.meridianmq.broker.ConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;

/**
 * The packets the broker sends a client besides PUBLISH, built with Netty's
 * {@link MqttMessageBuilders} where it has a builder that can say what MQTT 5 needs (its SUBACK
 * builder knows granted QoS only, not the error reason codes, and it has none for PUBREC,
 * PUBREL and PUBCOMP).
 *
 * <p>Threading: stateless.
 */
final class ServerPackets {

    private static final MqttMessage PINGRESP = new MqttMessage(
            new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));

    private ServerPackets() {
    }

    static MqttConnAckMessage connAck(MqttConnectReturnCode code, boolean sessionPresent, MqttProperties properties) {
        return MqttMessageBuilders.connAck().returnCode(code).sessionPresent(sessionPresent).properties(properties)
                .build();
    }

    /**
     * PUBACK, PUBREC, PUBREL or PUBCOMP for {@code packetId}; the reason code goes out only to
     * MQTT 5 clients, and only when it is not success.
     */
    static MqttMessage ack(MqttMessageType type, int packetId, int reason, boolean v5) {
        boolean withReason = v5 && reason != 0;
        if (type == MqttMessageType.PUBACK) {
            return MqttMessageBuilders.pubAck().packetId(packetId).reasonCode((byte) (withReason ? reason : 0))
                    .properties(MqttProperties.NO_PROPERTIES).build();
        }
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        MqttFixedHeader fixed = new MqttFixedHeader(type, false, qos, false, 2);
        if (withReason) {
            return new MqttMessage(fixed, new MqttPubReplyMessageVariableHeader(packetId, (byte) reason,
                    MqttProperties.NO_PROPERTIES));
        }
        return new MqttMessage(fixed, MqttMessageIdVariableHeader.from(packetId));
    }

    /** SUBACK with a granted QoS or an error reason code per filter (MQTT 3: 0x80 for every error). */
    static MqttSubAckMessage subAck(int packetId, int[] codes) {
        return new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes));
    }

    /** UNSUBACK; MQTT 5 clients get a reason code per filter, MQTT 3 ones none (their UNSUBACK has no payload). */
    static MqttUnsubAckMessage unsubAck(int packetId, int[] reasons, boolean v5) {
        MqttMessageBuilders.UnsubAckBuilder b = MqttMessageBuilders.unsubAck().packetId(packetId)
                .properties(MqttProperties.NO_PROPERTIES);
        if (v5) {
            for (int r : reasons) {
                b.addReasonCode((short) r);
            }
        }
        return b.build();
    }

    /** An MQTT 5 DISCONNECT from the server, with why in its reason string. */
    static MqttMessage disconnect(int reason, String reasonString) {
        return MqttMessageBuilders.disconnect().reasonCode((byte) reason).properties(withReasonString(reasonString))
                .build();
    }

    /** AUTH for {@code method}: continue, success or re-authenticate, with the server's data. */
    static MqttMessage auth(int reason, String method, byte[] data) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), method));
        if (data.length > 0) {
            props.add(new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), data));
        }
        return MqttMessageBuilders.auth().reasonCode((byte) reason).properties(props).build();
    }

    static MqttMessage pingResp() {
        return PINGRESP;
    }

    static MqttProperties withReasonString(String reason) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttPropertyType.REASON_STRING.value(), reason));
        return props;
    }
    /** The CONNACK return code for the broker's answer, in the client's protocol version. */
    static MqttConnectReturnCode returnCode(ConnectReturnCode code, boolean v5) {
        if (v5) {
            return switch (code) {
                case ACCEPTED -> MqttConnectReturnCode.CONNECTION_ACCEPTED;
                case UNACCEPTABLE_PROTOCOL_VERSION -> MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION;
                case IDENTIFIER_REJECTED -> MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID;
                case SERVER_UNAVAILABLE -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5;
                case BAD_USERNAME_OR_PASSWORD -> MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD;
                case NOT_AUTHORIZED -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5;
                case QUOTA_EXCEEDED -> MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED;
                case BANNED -> MqttConnectReturnCode.CONNECTION_REFUSED_BANNED;
            };
        }
        return switch (code) {
            case ACCEPTED -> MqttConnectReturnCode.CONNECTION_ACCEPTED;
            case UNACCEPTABLE_PROTOCOL_VERSION -> MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION;
            case IDENTIFIER_REJECTED -> MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case SERVER_UNAVAILABLE -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case BAD_USERNAME_OR_PASSWORD -> MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            case QUOTA_EXCEEDED -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case BANNED -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
        };
    }
}
