package io.meridianmq.protocol.internal;

import java.nio.charset.StandardCharsets;

import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.message.UserProperty;
import io.netty.handler.codec.mqtt.MqttProperties;

/** The MQTT 5 properties of an outgoing PUBLISH, and the size of the packet they make. */
final class OutboundProperties {

    private OutboundProperties() {
    }

    static MqttProperties of(OutboundPublish p) {
        PublishProperties pp = p.properties();
        if (pp.isEmpty() && p.messageExpirySeconds() < 0 && p.subscriptionIds().length == 0) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties props = new MqttProperties();
        if (pp.utf8Payload()) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), 1));
        }
        if (p.messageExpirySeconds() >= 0) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(),
                    (int) p.messageExpirySeconds()));
        }
        if (pp.contentType() != null) {
            props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.CONTENT_TYPE.value(), pp.contentType()));
        }
        if (pp.responseTopic() != null) {
            props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.RESPONSE_TOPIC.value(),
                    pp.responseTopic()));
        }
        if (pp.correlationData() != null) {
            props.add(new MqttProperties.BinaryProperty(MqttProperties.MqttPropertyType.CORRELATION_DATA.value(),
                    pp.correlationData()));
        }
        for (UserProperty u : pp.userProperties()) {
            props.add(new MqttProperties.UserProperty(u.name(), u.value()));
        }
        for (int id : p.subscriptionIds()) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), id));
        }
        return props;
    }

    /** The encoded size of the MQTT 5 PUBLISH, to compare with the client's maximum packet size. */
    static long packetSize(OutboundPublish p, MqttProperties props) {
        long propertiesLength = propertiesLength(p);
        long remaining = 2 + utf8Length(p.topic()) + (p.qos() > 0 ? 2 : 0) + varIntSize(propertiesLength)
                + propertiesLength + p.payload().length;
        return 1 + varIntSize(remaining) + remaining;
    }

    private static long propertiesLength(OutboundPublish p) {
        PublishProperties pp = p.properties();
        long n = 0;
        if (pp.utf8Payload()) {
            n += 2;
        }
        if (p.messageExpirySeconds() >= 0) {
            n += 5;
        }
        if (pp.contentType() != null) {
            n += 3 + utf8Length(pp.contentType());
        }
        if (pp.responseTopic() != null) {
            n += 3 + utf8Length(pp.responseTopic());
        }
        if (pp.correlationData() != null) {
            n += 3 + pp.correlationData().length;
        }
        for (UserProperty u : pp.userProperties()) {
            n += 5 + utf8Length(u.name()) + utf8Length(u.value());
        }
        for (int id : p.subscriptionIds()) {
            n += 1 + varIntSize(id);
        }
        return n;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int varIntSize(long value) {
        int n = 1;
        while (value >= 128) {
            value /= 128;
            n++;
        }
        return n;
    }
}
