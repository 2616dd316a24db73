package io.meridianmq.sdk.interceptor;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The client whose SUBSCRIBE entry is being intercepted.
 *
 * <p>Threading: immutable. Nullness: never {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface SubscribeInput {

    ClientInfo client();
}
