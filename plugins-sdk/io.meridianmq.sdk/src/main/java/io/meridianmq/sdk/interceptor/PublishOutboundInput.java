package io.meridianmq.sdk.interceptor;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Who a PUBLISH is about to be sent to.
 *
 * <p>Threading: immutable. Nullness: never {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface PublishOutboundInput {

    /** The subscriber the message goes to. */
    ClientInfo subscriber();
}
