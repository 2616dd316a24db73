package io.meridianmq.sdk.service;

import io.meridianmq.sdk.message.PublishProperties;

/**
 * A message given to a {@link PluginSession}. The payload array is the plugin's to keep.
 *
 * <p>Threading: thread-safe; {@link #acknowledge()} may be called from any thread, more than once
 * (the first counts). Nullness: no result is {@code null}.
 *
 * @since 1.1
 */
@org.osgi.annotation.versioning.ProviderType
public interface ReceivedMessage {

    String topic();

    byte[] payload();

    /** The QoS it was given at (the lower of the publisher's and the subscription's). */
    int qos();

    boolean retain();

    /** Whether it was given before and not acknowledged then (a redelivery). */
    boolean duplicate();

    PublishProperties properties();

    /**
     * The plugin handled the message (for QoS 1 and 2: it is no longer the broker's to keep for
     * the session). For QoS 0 it does nothing.
     */
    void acknowledge();
}
