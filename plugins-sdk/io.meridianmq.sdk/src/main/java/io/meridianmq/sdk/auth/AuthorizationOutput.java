package io.meridianmq.sdk.auth;

import io.meridianmq.sdk.async.AsyncOutput;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What an {@link Authorizer} decides. Call one decision method once; when none is called, the
 * decision is "next".
 *
 * <p>Threading: see {@link AsyncOutput}. Nullness: arguments must not be {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface AuthorizationOutput extends AsyncOutput {

    /** Allow the operation. */
    void allow();

    /**
     * Deny the operation. MQTT 5 clients get reason code 0x87 (not authorized) with
     * {@code reason} as reason string; MQTT 3 clients get what their version allows.
     */
    void deny(String reason);

    /** No opinion: ask the next authorizer (the default). */
    void next();
}
