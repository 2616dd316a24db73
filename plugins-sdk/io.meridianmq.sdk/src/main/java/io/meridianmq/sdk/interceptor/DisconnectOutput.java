package io.meridianmq.sdk.interceptor;

import io.meridianmq.sdk.async.AsyncOutput;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a {@link DisconnectInterceptor} may do about an ended connection.
 *
 * <p>Threading: see {@link AsyncOutput}.
 *
 * @since 1.0
 */
@ProviderType
public interface DisconnectOutput extends AsyncOutput {

    /** Does not publish the client's will, though the connection ended without DISCONNECT. */
    void suppressWill();
}
