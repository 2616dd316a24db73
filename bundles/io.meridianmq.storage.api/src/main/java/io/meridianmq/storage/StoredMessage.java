package io.meridianmq.storage;

import java.util.Objects;

/**
 * A message waiting for (or in flight to) one persistent session, as stored. The payload array is
 * never modified and may be shared with the broker's own copy.
 *
 * @param qos the QoS of the delivery to this session (already reduced to the subscription's)
 * @param expiresAtMillis wall-clock expiry, or {@link Long#MAX_VALUE} for never
 * @param publisherId the publisher's client id, or {@code null}
 * @param subscriptionIds MQTT 5 subscription identifiers of the matching subscriptions (may be empty)
 * @param packetId the packet id once sent (QoS 2 only; 0 while queued)
 * @param released QoS 2: PUBREC received and PUBREL sent, waiting for PUBCOMP
 */
public record StoredMessage(String topic, byte[] payload, int qos, boolean retain, StoredProperties properties,
        long expiresAtMillis, String publisherId, int[] subscriptionIds, int packetId, boolean released) {

    public StoredMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(subscriptionIds, "subscriptionIds");
    }
}
