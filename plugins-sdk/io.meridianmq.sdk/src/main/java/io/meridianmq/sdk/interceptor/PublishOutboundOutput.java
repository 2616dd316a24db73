package io.meridianmq.sdk.interceptor;

import io.meridianmq.sdk.async.AsyncOutput;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The PUBLISH as this one subscriber will get it (changes affect only this copy), and the power
 * to withhold it.
 *
 * <p>Threading: see {@link AsyncOutput}. Nullness: never returns {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface PublishOutboundOutput extends AsyncOutput {

    /** This subscriber's copy of the message; its QoS can only be lowered. */
    ModifiablePublish publish();

    /** Does not send the message to this subscriber; {@code reason} is logged and reported as an event. */
    void drop(String reason);
}
