package io.meridianmq.protocol.internal;

import static io.meridianmq.protocol.internal.PacketProperties.binaryProperty;
import static io.meridianmq.protocol.internal.PacketProperties.intProp;
import static io.meridianmq.protocol.internal.PacketProperties.intProperty;
import static io.meridianmq.protocol.internal.PacketProperties.stringProperty;
import static io.meridianmq.protocol.internal.PacketProperties.unsignedIntProperty;

import java.util.function.Predicate;

import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.sdk.message.PublishProperties;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;

/**
 * What a CONNECT asks for, checked against the rules of its protocol version and what the broker
 * supports now: session expiry, flow limits, the will, keep alive, enhanced authentication. A
 * CONNECT that breaks a rule gets a {@link Refusal} instead.
 *
 * <p>Threading: made and read on the channel's event loop.
 */
final class ConnectPacket {

    /**
     * Why a CONNECT is refused: the CONNACK return code, or (for MQTT 3, which has no code for
     * it) a protocol violation that only closes the connection.
     */
    record Refusal(MqttConnectReturnCode code, String reason, boolean violation) {
        static Refusal connack(MqttConnectReturnCode code, String reason) {
            return new Refusal(code, reason, false);
        }
    }

    final int protocolLevel;
    final boolean v5;
    final String clientId;
    long sessionExpiry;
    int receiveMaximum = 65535;
    /** The largest packet the client takes (MQTT 5 Maximum Packet Size), unbounded when it does not say. */
    int clientMaxPacketSize = Integer.MAX_VALUE;
    /** The MQTT 5 enhanced authentication method, or null. */
    String authMethod;
    /** The authentication data sent with CONNECT (empty when none). */
    byte[] authData = new byte[0];
    WillMessage will;
    String username;
    byte[] password;
    /** The keep alive in force: the client's, or the broker's when it overrides it. */
    int keepAlive;
    /** The Server Keep Alive to announce, or -1 when the client's stands. */
    int serverKeepAlive = -1;
    boolean requestResponseInformation;
    Refusal refusal;

    private ConnectPacket(int protocolLevel, String clientId) {
        this.protocolLevel = protocolLevel;
        this.v5 = protocolLevel == 5;
        this.clientId = clientId;
    }

    /**
     * Reads {@code connect}; {@code methodAvailable} says whether a plugin implements an
     * enhanced authentication method.
     */
    static ConnectPacket read(MqttConnectMessage connect, ProtocolSettings settings, BrokerCapabilities capabilities,
            Predicate<String> methodAvailable) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();
        ConnectPacket c = new ConnectPacket(header.version(), payload.clientIdentifier());
        c.refusal = c.v5 ? c.readV5Properties(header, payload, methodAvailable)
                : null;
        if (!c.v5) {
            c.sessionExpiry = header.isCleanSession() ? 0 : ConnectRequest.NEVER_EXPIRES;
        }
        if (c.refusal == null && header.isWillFlag()) {
            c.refusal = c.readWill(header, payload, capabilities);
        }
        c.username = header.hasUserName() ? payload.userName() : null;
        c.password = header.hasPassword() ? payload.passwordInBytes() : null;
        c.keepAlive = header.keepAliveTimeSeconds();
        if (c.v5 && (c.keepAlive == 0 || c.keepAlive > settings.maxKeepAlive()) && settings.maxKeepAlive() < 65535) {
            c.serverKeepAlive = settings.maxKeepAlive();
            c.keepAlive = c.serverKeepAlive;
        }
        c.requestResponseInformation = c.v5
                && intProperty(header.properties(), MqttPropertyType.REQUEST_RESPONSE_INFORMATION, 0) == 1;
        return c;
    }

    private Refusal readV5Properties(MqttConnectVariableHeader header, MqttConnectPayload payload,
            Predicate<String> methodAvailable) {
        MqttProperties p = header.properties();
        String bad = PropertyRules.check(p, PropertyRules.CONNECT);
        if (bad == null && payload.willProperties() != null) {
            bad = PropertyRules.check(payload.willProperties(), PropertyRules.WILL);
        }
        if (bad != null) {
            return Refusal.connack(MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET, "CONNECT " + bad);
        }
        sessionExpiry = unsignedIntProperty(p, MqttPropertyType.SESSION_EXPIRY_INTERVAL, 0);
        receiveMaximum = intProperty(p, MqttPropertyType.RECEIVE_MAXIMUM, 65535);
        int maxPacket = intProperty(p, MqttPropertyType.MAXIMUM_PACKET_SIZE, -1);
        if (receiveMaximum == 0 || maxPacket == 0) {
            return Refusal.connack(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR,
                    receiveMaximum == 0 ? "receive maximum 0" : "maximum packet size 0");
        }
        if (maxPacket > 0) {
            clientMaxPacketSize = maxPacket;
        }
        authMethod = stringProperty(p, MqttPropertyType.AUTHENTICATION_METHOD);
        if (authMethod != null) {
            if (!methodAvailable.test(authMethod)) {
                return Refusal.connack(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
                        "asked for enhanced authentication method '" + authMethod + "', which no plugin provides");
            }
            authData = binaryProperty(p, MqttPropertyType.AUTHENTICATION_DATA);
        } else if (p.getProperty(MqttPropertyType.AUTHENTICATION_DATA.value()) != null) {
            return Refusal.connack(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR,
                    "sent authentication data without an authentication method");
        }
        return null;
    }

    private Refusal readWill(MqttConnectVariableHeader header, MqttConnectPayload payload,
            BrokerCapabilities capabilities) {
        String willTopic = payload.willTopic();
        if (willTopic == null || willTopic.isEmpty() || willTopic.indexOf('+') >= 0 || willTopic.indexOf('#') >= 0) {
            return v5 ? Refusal.connack(MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID,
                    "invalid will topic '" + willTopic + "'")
                    : new Refusal(null, "sent an invalid will topic '" + willTopic + "'", true);
        }
        if (header.willQos() > capabilities.maximumQos() && v5) {
            return Refusal.connack(MqttConnectReturnCode.CONNECTION_REFUSED_QOS_NOT_SUPPORTED,
                    "will QoS " + header.willQos() + " above max_qos " + capabilities.maximumQos());
        }
        if (header.isWillRetain() && !capabilities.retainAvailable() && v5) {
            return Refusal.connack(MqttConnectReturnCode.CONNECTION_REFUSED_RETAIN_NOT_SUPPORTED,
                    "retained will, but retain_available = false");
        }
        byte[] willPayload = payload.willMessageInBytes();
        if (!v5) {
            will = new WillMessage(willTopic, willPayload, header.willQos(), header.isWillRetain());
            return null;
        }
        MqttProperties wp = payload.willProperties();
        PublishProperties props = PacketProperties.publishProperties(wp);
        if (props.utf8Payload() && !PacketProperties.isUtf8(willPayload)) {
            return Refusal.connack(MqttConnectReturnCode.CONNECTION_REFUSED_PAYLOAD_FORMAT_INVALID,
                    "will payload marked UTF-8 is not valid UTF-8");
        }
        long delay = unsignedIntProperty(wp, MqttPropertyType.WILL_DELAY_INTERVAL, 0);
        long expiry = unsignedIntProperty(wp, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, -1);
        will = new WillMessage(willTopic, willPayload, header.willQos(), header.isWillRetain(), props, delay, expiry);
        return null;
    }

    /**
     * What the CONNACK accepting this MQTT 5 CONNECT tells the client: the id assigned to it (when
     * it sent none), a Server Keep Alive, the broker's limits and what it supports, the
     * enhanced authentication method with the plugin's last data, and response information.
     *
     * @param assignedId the client id in force
     * @param authMethod the enhanced authentication method used, or null
     */
    MqttProperties acceptedProperties(String assignedId, ProtocolSettings settings, BrokerCapabilities capabilities,
            String authMethod, byte[] authSuccessData) {
        MqttProperties props = new MqttProperties();
        if (clientId.isEmpty()) {
            props.add(new MqttProperties.StringProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(), assignedId));
        }
        if (serverKeepAlive >= 0) {
            props.add(intProp(MqttPropertyType.SERVER_KEEP_ALIVE, serverKeepAlive));
        }
        props.add(intProp(MqttPropertyType.RECEIVE_MAXIMUM, settings.receiveMaximum()));
        props.add(intProp(MqttPropertyType.MAXIMUM_PACKET_SIZE, settings.maxPacketSize()));
        props.add(intProp(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, settings.topicAliasMaximum()));
        if (capabilities.maximumQos() < 2) {
            props.add(intProp(MqttPropertyType.MAXIMUM_QOS, capabilities.maximumQos()));
        }
        if (!capabilities.retainAvailable()) {
            props.add(intProp(MqttPropertyType.RETAIN_AVAILABLE, 0));
        }
        props.add(intProp(MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
        props.add(intProp(MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1));
        props.add(intProp(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 1));
        if (authMethod != null) {
            props.add(new MqttProperties.StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), authMethod));
            if (authSuccessData.length > 0) {
                props.add(new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(),
                        authSuccessData));
            }
        }
        if (requestResponseInformation && !settings.responseInformation().isEmpty()) {
            props.add(new MqttProperties.StringProperty(MqttPropertyType.RESPONSE_INFORMATION.value(),
                    settings.responseInformation() + assignedId));
        }
        return props;
    }

    /** The protocol's name for a log line ("MQTT 3.1.1"). */
    static String protocolName(int protocolLevel) {
        return switch (protocolLevel) {
            case 3 -> "MQTT 3.1";
            case 4 -> "MQTT 3.1.1";
            case 5 -> "MQTT 5.0";
            default -> "MQTT level " + protocolLevel;
        };
    }
}
