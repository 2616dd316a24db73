package io.meridianmq.protocol.internal;

import java.util.ArrayList;
import java.util.List;

import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.TopicSubscription;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;

/**
 * What a SUBSCRIBE asks for, checked against the protocol's rules (at least one filter, QoS 0
 * to 2, one non-zero subscription identifier at most, no "no local" on a shared subscription);
 * whether each filter may be had is the core's to decide.
 *
 * <p>Threading: stateless.
 */
final class SubscribePacket {

    private SubscribePacket() {
    }

    /**
     * @param bridge the client is a bridge (it connected with the bridge bit): every subscription of
     *        it is no-local and retain-as-published
     */
    static List<TopicSubscription> read(MqttSubscribeMessage subscribe, boolean v5, boolean bridge)
            throws PacketRuleViolation {
        List<MqttTopicSubscription> topics = subscribe.payload().topicSubscriptions();
        if (topics.isEmpty()) {
            throw PacketRuleViolation.protocol("sent a SUBSCRIBE without topic filters");
        }
        int subscriptionId = v5 ? subscriptionId(subscribe.idAndPropertiesVariableHeader().properties()) : 0;
        List<TopicSubscription> wanted = new ArrayList<>(topics.size());
        for (MqttTopicSubscription t : topics) {
            int qos = t.qualityOfService().value();
            if (qos > 2) {
                throw PacketRuleViolation.protocol("asked for QoS " + qos + " in SUBSCRIBE");
            }
            boolean noLocal = v5 && t.option().isNoLocal();
            if (noLocal && t.topicName().startsWith("$share/")) {
                throw PacketRuleViolation.protocol("asked for no local on shared subscription '" + t.topicName() + "'");
            }
            boolean shared = t.topicName().startsWith("$share/");
            wanted.add(new TopicSubscription(t.topicName(), qos, noLocal || (bridge && !shared),
                    (v5 && t.option().isRetainAsPublished()) || bridge,
                    v5 ? t.option().retainHandling().value() : 0, subscriptionId));
        }
        return wanted;
    }

    /** The MQTT 5 subscription identifier, or 0 when there is none. */
    private static int subscriptionId(MqttProperties p) throws PacketRuleViolation {
        String bad = PropertyRules.check(p, PropertyRules.SUBSCRIBE);
        if (bad != null) {
            throw new PacketRuleViolation(DisconnectReason.MALFORMED_PACKET, "SUBSCRIBE " + bad);
        }
        List<? extends MqttProperties.MqttProperty> ids = p.getProperties(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value());
        if (ids.size() > 1) {
            throw PacketRuleViolation.protocol("sent more than one subscription identifier in SUBSCRIBE");
        }
        if (ids.isEmpty()) {
            return 0;
        }
        int id = (Integer) ids.get(0).value();
        if (id == 0) {
            throw PacketRuleViolation.protocol("sent subscription identifier 0");
        }
        return id;
    }
}
