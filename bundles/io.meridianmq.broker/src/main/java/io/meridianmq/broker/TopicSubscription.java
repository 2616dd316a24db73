package io.meridianmq.broker;

/**
 * One entry of a SUBSCRIBE: a topic filter (possibly {@code $share/group/filter}) and its
 * options.
 *
 * @param qos the maximum QoS asked for
 * @param noLocal MQTT 5: do not send the client its own messages
 * @param retainAsPublished MQTT 5: keep the retain flag of messages as published
 * @param retainHandling MQTT 5: 0 send retained messages, 1 only if the subscription is new, 2 never
 * @param subscriptionId MQTT 5 subscription identifier, or 0 for none
 */
public record TopicSubscription(String topicFilter, int qos, boolean noLocal, boolean retainAsPublished,
        int retainHandling, int subscriptionId) {

    /** An MQTT 3 subscription. */
    public TopicSubscription(String topicFilter, int qos) {
        this(topicFilter, qos, false, false, 0, 0);
    }
}
