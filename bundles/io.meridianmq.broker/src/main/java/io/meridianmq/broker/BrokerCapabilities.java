package io.meridianmq.broker;

/**
 * What the broker supports, as configured; the protocol layer announces it in CONNACK and
 * enforces it.
 *
 * @param maximumQos the highest QoS clients may publish and be granted (0, 1 or 2)
 * @param retainAvailable whether retained messages are supported
 */
public record BrokerCapabilities(int maximumQos, boolean retainAvailable) {
}
