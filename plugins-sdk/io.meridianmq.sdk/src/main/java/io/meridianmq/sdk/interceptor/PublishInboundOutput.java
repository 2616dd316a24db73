package io.meridianmq.sdk.interceptor;

import io.meridianmq.sdk.async.AsyncOutput;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The PUBLISH as it will be routed, and the power to drop it.
 *
 * <p>Threading: see {@link AsyncOutput}. Nullness: never returns {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface PublishInboundOutput extends AsyncOutput {

    /** The message, to read and change. */
    ModifiablePublish publish();

    /**
     * Drops the message: it is not routed; a QoS 1/2 publisher is still acknowledged (MQTT 5:
     * reason 0x83 implementation specific error). {@code reason} is logged.
     */
    void drop(String reason);

    /**
     * The message cannot be taken now (a system it must reach first is away, e.g. a Kafka bridge
     * acknowledging only what Kafka acknowledged): it is not routed and the publisher is not told
     * it is safe: a QoS 1/2 MQTT 5 publisher gets reason 0x80 (unspecified error), an MQTT 3.1.1
     * one is disconnected, so that it sends the message again. {@code reason} is logged. (The
     * default, for test doubles written against SDK 1.0, drops the message.)
     *
     * @since 1.1
     */
    default void fail(String reason) {
        drop(reason);
    }
}
