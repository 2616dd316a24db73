package io.meridianmq.sdk.auth;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One topic filter of a SUBSCRIBE.
 *
 * <p>Threading: immutable. Nullness: no method returns {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface SubscribeAuthorizationInput {

    ClientInfo client();

    /** The filter without any {@code $share/NAME/} prefix. */
    String topicFilter();

    int qos();
}
