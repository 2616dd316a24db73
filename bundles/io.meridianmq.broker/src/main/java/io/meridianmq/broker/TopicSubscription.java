package io.meridianmq.broker;

/** One entry of a SUBSCRIBE: a topic filter and the maximum QoS asked for. */
public record TopicSubscription(String topicFilter, int qos) {
}
