package io.meridianmq.protocol.internal;

import static io.meridianmq.protocol.internal.PacketProperties.intProperty;
import static io.meridianmq.protocol.internal.PacketProperties.unsignedIntProperty;

import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.sdk.message.PublishProperties;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;

/**
 * A client's PUBLISH read into the core's model and checked against the protocol's rules and
 * what the broker supports now: a packet id for QoS 1 and 2, {@code max_qos},
 * {@code retain_available}, MQTT 5 properties, topic aliases, a payload marked UTF-8 that is,
 * a topic, the receive maximum.
 *
 * <p>Threading: stateless; the {@link InboundFlow} it is given belongs to the event loop.
 */
final class PublishPacket {

    /**
     * The PUBLISH as read; {@code payloadFormatInvalid} when its payload is marked UTF-8 and is
     * not (MQTT 5: refused with 0x99, not routed, the connection goes on).
     */
    record Read(InboundPublish publish, boolean payloadFormatInvalid) {
    }

    private PublishPacket() {
    }

    /** @param flow the client's topic aliases and receive maximum (MQTT 5), or null (MQTT 3) */
    static Read read(MqttPublishMessage message, BrokerCapabilities capabilities, InboundFlow flow)
            throws PacketRuleViolation {
        MqttPublishVariableHeader header = message.variableHeader();
        String topic = header.topicName();
        int qos = message.fixedHeader().qosLevel().value();
        int packetId = header.packetId();
        boolean retain = message.fixedHeader().isRetain();
        if (qos > 0 && packetId == 0) {
            throw PacketRuleViolation.protocol("sent a QoS " + qos + " PUBLISH without a packet identifier");
        }
        if (qos > capabilities.maximumQos()) {
            throw new PacketRuleViolation(DisconnectReason.QOS_NOT_SUPPORTED,
                    "published at QoS " + qos + ", above max_qos " + capabilities.maximumQos());
        }
        if (retain && !capabilities.retainAvailable()) {
            throw new PacketRuleViolation(DisconnectReason.RETAIN_NOT_SUPPORTED,
                    "published a retained message, but retain_available = false");
        }
        long expiry = -1;
        PublishProperties properties = PublishProperties.NONE;
        byte[] payload = ByteBufUtil.getBytes(message.payload());
        if (flow != null) {
            MqttProperties p = header.properties();
            String bad = PropertyRules.check(p, PropertyRules.PUBLISH_FROM_CLIENT);
            if (bad != null) {
                throw new PacketRuleViolation(bad.startsWith("property") ? DisconnectReason.MALFORMED_PACKET
                        : DisconnectReason.PROTOCOL_ERROR, "PUBLISH " + bad);
            }
            int alias = intProperty(p, MqttPropertyType.TOPIC_ALIAS, -1);
            if (alias >= 0) {
                topic = flow.topic(topic, alias);
            }
            properties = PacketProperties.publishProperties(p);
            expiry = unsignedIntProperty(p, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, -1);
            if (properties.utf8Payload() && !PacketProperties.isUtf8(payload)) {
                return new Read(new InboundPublish(packetId, topic, payload, qos, retain, expiry, properties), true);
            }
        }
        if (topic.isEmpty()) {
            throw PacketRuleViolation.protocol("sent a PUBLISH with an empty topic");
        }
        if (qos > 0 && flow != null) {
            flow.received(packetId);
        }
        return new Read(new InboundPublish(packetId, topic, payload, qos, retain, expiry, properties), false);
    }
}
