package io.meridianmq.sdk.auth;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A PUBLISH (or a will) a client wants to make.
 *
 * <p>Threading: immutable. Nullness: no method returns {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface PublishAuthorizationInput {

    ClientInfo client();

    String topic();

    int qos();

    boolean retain();
}
