package io.meridianmq.sdk.auth;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * MQTT 5 enhanced authentication (AUTH packet exchange) for one authentication method, such as
 * {@code SCRAM-SHA-256}. Register it as an OSGi service; a client that names its
 * {@link #method()} in CONNECT (or in a re-authentication AUTH) is handed to it. A client that
 * names a method no plugin provides is refused with CONNACK 0x8C (bad authentication method).
 *
 * <p>Threading: {@link #begin} is called on the client's network thread; see
 * {@link EnhancedAuthentication} for the steps. Nullness: arguments are never {@code null}.
 *
 * @since 0.1
 */
@ConsumerType
public interface EnhancedAuthenticator {

    /** The authentication method this plugin implements, exactly as clients name it. */
    String method();

    /**
     * Starts one exchange for {@code client} (a new connection, or a re-authentication of a
     * connected client). The returned object receives every step of that exchange.
     */
    EnhancedAuthentication begin(ClientInfo client);
}
