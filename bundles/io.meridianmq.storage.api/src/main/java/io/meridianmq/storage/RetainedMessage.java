package io.meridianmq.storage;

import java.util.Objects;

/**
 * A retained message as stored: the last message published with the retain flag to a topic.
 * The payload array is never modified after construction and is shared, not copied.
 */
public record RetainedMessage(String topic, byte[] payload, int qos) {

    public RetainedMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
    }
}
