package io.meridianmq.broker;

/**
 * A PUBLISH the core asks the protocol layer to send to one client. The payload array is shared
 * by every recipient of the message and must not be modified.
 *
 * @param packetId the packet identifier (0 for QoS 0)
 * @param dup whether this is a redelivery
 */
public record OutboundPublish(int packetId, String topic, byte[] payload, int qos, boolean retain, boolean dup) {
}
