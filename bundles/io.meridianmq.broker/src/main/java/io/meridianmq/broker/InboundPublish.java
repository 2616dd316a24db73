package io.meridianmq.broker;

/**
 * A PUBLISH received from a client, in protocol-neutral form. The payload array becomes owned by
 * the core and is never modified.
 *
 * @param packetId the packet identifier (0 for QoS 0)
 */
public record InboundPublish(int packetId, String topic, byte[] payload, int qos, boolean retain) {
}
