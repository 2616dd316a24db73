package io.meridianmq.protocol.internal;

import java.util.Set;

import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * Which MQTT 5 properties each packet may carry (MQTT 5.0 section 2.2.2.2): a property in the
 * wrong packet makes it a Malformed Packet.
 */
final class PropertyRules {

    static final Set<Integer> CONNECT = Set.of(17, 21, 22, 23, 25, 33, 34, 38, 39);
    static final Set<Integer> WILL = Set.of(1, 2, 3, 8, 9, 24, 38);
    /** A client may not send a subscription identifier in PUBLISH (MQTT-3.3.4-6). */
    static final Set<Integer> PUBLISH_FROM_CLIENT = Set.of(1, 2, 3, 8, 9, 35, 38);
    static final Set<Integer> SUBSCRIBE = Set.of(11, 38);

    private PropertyRules() {
    }

    /** A description of the first property not allowed, or {@code null} when all are allowed. */
    static String check(MqttProperties properties, Set<Integer> allowed) {
        if (properties == null) {
            return null;
        }
        for (MqttProperties.MqttProperty<?> p : properties.listAll()) {
            if (!allowed.contains(p.propertyId())) {
                if (allowed == PUBLISH_FROM_CLIENT && p.propertyId() == 11) {
                    return "with a subscription identifier, which only the server may send";
                }
                return "property " + p.propertyId() + " (0x" + Integer.toHexString(p.propertyId())
                        + ") is not allowed in this packet";
            }
        }
        return null;
    }
}
