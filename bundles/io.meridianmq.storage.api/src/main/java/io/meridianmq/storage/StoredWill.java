package io.meridianmq.storage;

import java.util.Objects;

/**
 * A will whose delay has not yet passed (MQTT 5 will delay interval), as stored.
 *
 * @param username the owner's username (for authorizing the will), or {@code null}
 * @param messageExpirySeconds the will's message expiry interval, or -1 for none
 * @param dueAtMillis when it is to be published (wall clock)
 */
public record StoredWill(String topic, byte[] payload, int qos, boolean retain, StoredProperties properties,
        long messageExpirySeconds, long dueAtMillis, String username) {

    public StoredWill {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
    }
}
