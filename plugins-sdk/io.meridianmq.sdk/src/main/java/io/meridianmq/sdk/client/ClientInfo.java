package io.meridianmq.sdk.client;

import java.net.InetSocketAddress;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An immutable view of one client connection, as the broker knows it when it calls a plugin.
 *
 * <p>Threading: instances are immutable and may be read from any thread.
 * Nullness: no method returns {@code null}; absent values are {@link Optional#empty()}.
 *
 * @since 0.1
 */
@ProviderType
public interface ClientInfo {

    /** The MQTT client identifier (assigned by the broker when the client sent an empty one). */
    String clientId();

    /** The address the client connected from. */
    InetSocketAddress remoteAddress();

    /** The name of the listener that accepted the connection, e.g. {@code "default"}. */
    String listenerName();

    /** The MQTT protocol level: 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5 (MQTT 5.0). */
    int protocolLevel();

    /** The user name the client presented (after authentication, the one it is known by). */
    Optional<String> username();

    /**
     * The roles the authenticator found (e.g. from a token's claims); empty when none.
     *
     * @since 1.1
     */
    default java.util.Set<String> roles() {
        return java.util.Set.of();
    }

    /**
     * When the client's credentials expire (a token's {@code exp}); the broker ends the connection
     * then unless the client re-authenticates. Empty when they do not expire.
     *
     * @since 1.1
     */
    default Optional<java.time.Instant> credentialsExpireAt() {
        return Optional.empty();
    }

    /**
     * The client certificate the TLS handshake verified (mutual TLS); empty on plain connections
     * and when the client presented none.
     *
     * @since 1.1
     */
    default Optional<java.security.cert.X509Certificate> certificate() {
        return Optional.empty();
    }

    /** Whether the client connected from a loopback address (127.0.0.0/8 or ::1). */
    default boolean isLoopback() {
        return remoteAddress().getAddress() != null && remoteAddress().getAddress().isLoopbackAddress();
    }
}
