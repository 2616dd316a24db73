package io.meridianmq.sdk.interceptor;

import io.meridianmq.sdk.async.AsyncOutput;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a {@link ConnectInterceptor} may change about a connection, or refuse.
 *
 * <p>Threading: see {@link AsyncOutput}. Nullness: {@code refuse} rejects {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface ConnectOutput extends AsyncOutput {

    /** The session expiry interval in seconds (0xFFFFFFFF = never). */
    long sessionExpiry();

    /** Changes how long the session outlives the connection (0 .. 0xFFFFFFFF seconds). */
    void setSessionExpiry(long seconds);

    /** Refuses the connection (CONNACK not authorized); {@code reason} is logged. */
    void refuse(String reason);
}
