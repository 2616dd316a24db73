package io.meridianmq.broker;

import io.meridianmq.sdk.message.PublishProperties;

/**
 * A PUBLISH received from a client, in protocol-neutral form (topic aliases already resolved).
 * The payload array becomes owned by the core and is never modified.
 *
 * @param packetId the packet identifier (0 for QoS 0)
 * @param messageExpirySeconds the message expiry interval, or -1 for none
 */
public record InboundPublish(int packetId, String topic, byte[] payload, int qos, boolean retain,
        long messageExpirySeconds, PublishProperties properties) {

    /** An MQTT 3 PUBLISH. */
    public InboundPublish(int packetId, String topic, byte[] payload, int qos, boolean retain) {
        this(packetId, topic, payload, qos, retain, -1, PublishProperties.NONE);
    }
}
