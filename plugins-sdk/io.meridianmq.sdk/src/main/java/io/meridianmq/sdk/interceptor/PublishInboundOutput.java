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
}
