package io.meridianmq.sdk.service;

import io.meridianmq.sdk.message.PublishProperties;

/**
 * A retained message as {@link BrokerServices#retained} reports it. The payload array is a copy.
 *
 * <p>Threading: immutable. Nullness: no component is {@code null}.
 *
 * @since 1.0
 */
public record RetainedMessageView(String topic, byte[] payload, int qos, PublishProperties properties) {
}
