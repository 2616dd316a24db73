package io.meridianmq.storage;

import java.util.Objects;

/**
 * A retained message as stored: the last message published with the retain flag to a topic.
 * The payload array is never modified after construction and is shared, not copied.
 *
 * @param expiresAtMillis when the message expires (wall-clock milliseconds), or 0 for never
 */
public record RetainedMessage(String topic, byte[] payload, int qos, StoredProperties properties, long expiresAtMillis) {

    public RetainedMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
    }

    /** Whether the message has expired at {@code nowMillis}. */
    public boolean isExpired(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }
}
