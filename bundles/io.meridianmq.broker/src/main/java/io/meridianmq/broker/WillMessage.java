package io.meridianmq.broker;

import java.util.Objects;

import io.meridianmq.sdk.message.PublishProperties;

/**
 * The will message of a connection, published if it ends without a normal DISCONNECT.
 *
 * @param delaySeconds MQTT 5 will delay interval (0 = at once)
 * @param messageExpirySeconds MQTT 5 message expiry of the will, or -1 for none
 */
public record WillMessage(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties,
        long delaySeconds, long messageExpirySeconds) {

    public WillMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
    }

    /** An MQTT 3 will: no properties, no delay, no expiry. */
    public WillMessage(String topic, byte[] payload, int qos, boolean retain) {
        this(topic, payload, qos, retain, PublishProperties.NONE, 0, -1);
    }
}
