package io.meridianmq.broker;

import io.meridianmq.sdk.message.PublishProperties;

/**
 * A PUBLISH the core asks the protocol layer to send to one client. The payload array is shared
 * by every recipient of the message and must not be modified. MQTT 3 clients get none of the
 * MQTT 5 fields.
 *
 * @param packetId the packet identifier (0 for QoS 0)
 * @param dup whether this is a redelivery
 * @param messageExpirySeconds the remaining message expiry interval, or -1 for none
 * @param subscriptionIds the identifiers of the client's subscriptions that matched (may be empty)
 */
public record OutboundPublish(int packetId, String topic, byte[] payload, int qos, boolean retain, boolean dup,
        long messageExpirySeconds, PublishProperties properties, int[] subscriptionIds) {

    private static final int[] NO_IDS = new int[0];

    /** An MQTT 3 style PUBLISH. */
    public OutboundPublish(int packetId, String topic, byte[] payload, int qos, boolean retain, boolean dup) {
        this(packetId, topic, payload, qos, retain, dup, -1, PublishProperties.NONE, NO_IDS);
    }

    /** The same PUBLISH marked as a redelivery. */
    public OutboundPublish asDuplicate() {
        return new OutboundPublish(packetId, topic, payload, qos, retain, true, messageExpirySeconds, properties,
                subscriptionIds);
    }
}
