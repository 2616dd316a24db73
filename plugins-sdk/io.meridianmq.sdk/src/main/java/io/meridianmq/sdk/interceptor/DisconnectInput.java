package io.meridianmq.sdk.interceptor;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A connection that has just ended.
 *
 * <p>Threading: immutable. Nullness: never {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface DisconnectInput {

    ClientInfo client();

    /** Whether the client ended it with a normal DISCONNECT. */
    boolean graceful();
}
