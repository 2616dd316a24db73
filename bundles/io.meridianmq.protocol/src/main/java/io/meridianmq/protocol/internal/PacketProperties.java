package io.meridianmq.protocol.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.message.UserProperty;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;

/**
 * Reads what MQTT packets from a client carry: MQTT 5 properties by type, the publish
 * properties the core keeps with a message, packet ids, and whether a payload marked UTF-8 is.
 *
 * <p>Threading: stateless.
 */
final class PacketProperties {

    private PacketProperties() {
    }

    static MqttProperties.IntegerProperty intProp(MqttPropertyType type, int value) {
        return new MqttProperties.IntegerProperty(type.value(), value);
    }

    /** An integer property, or {@code fallback} when absent (or there are no properties). */
    static int intProperty(MqttProperties p, MqttPropertyType type, int fallback) {
        if (p == null) {
            return fallback;
        }
        MqttProperties.MqttProperty<?> property = p.getProperty(type.value());
        return property == null ? fallback : (Integer) property.value();
    }

    /** A four-byte integer property read as unsigned, or {@code fallback} when absent. */
    static long unsignedIntProperty(MqttProperties p, MqttPropertyType type, long fallback) {
        MqttProperties.MqttProperty<?> property = p == null ? null : p.getProperty(type.value());
        return property == null ? fallback : Integer.toUnsignedLong((Integer) property.value());
    }

    /** A binary property, or an empty array when absent. */
    static byte[] binaryProperty(MqttProperties p, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> property = p == null ? null : p.getProperty(type.value());
        return property == null ? new byte[0] : (byte[]) property.value();
    }

    /** A string property, or null when absent. */
    static String stringProperty(MqttProperties p, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> property = p == null ? null : p.getProperty(type.value());
        return property == null ? null : (String) property.value();
    }

    /** The properties of a PUBLISH (or will) that travel with the message to its receivers. */
    static PublishProperties publishProperties(MqttProperties p) {
        if (p == null || p.isEmpty()) {
            return PublishProperties.NONE;
        }
        boolean utf8 = intProperty(p, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 0) == 1;
        MqttProperties.MqttProperty<?> correlation = p.getProperty(MqttPropertyType.CORRELATION_DATA.value());
        List<UserProperty> user = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> u : p.getProperties(MqttPropertyType.USER_PROPERTY.value())) {
            MqttProperties.StringPair pair = ((MqttProperties.UserProperty) u).value();
            user.add(new UserProperty(pair.key, pair.value));
        }
        return new PublishProperties(utf8, stringProperty(p, MqttPropertyType.CONTENT_TYPE),
                stringProperty(p, MqttPropertyType.RESPONSE_TOPIC),
                correlation == null ? null : (byte[]) correlation.value(), user);
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }
}
