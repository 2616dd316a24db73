package io.meridianmq.transport;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One configured listener as operators see it, registered as an OSGi service by the transport
 * for each {@code etc/io.meridianmq.listener-NAME.cfg}: what it is configured to be, and whether
 * it is listening now (a readiness check asks every one).
 *
 * <p>Threading: any thread; the state may change right after it was read.
 *
 * @since 0.1
 */
@ProviderType
public interface ListenerStatus {

    /** The listener's name, as in log lines. */
    String name();

    /** {@code mqtt} (TCP), {@code mqtts} (TLS), {@code ws} (WebSocket) or {@code wss} (WebSocket over TLS). */
    String kind();

    /** The configured bind address. */
    String host();

    /** The port it listens on (the bound port once listening; the configured one before). */
    int port();

    boolean tls();

    /** Whether it accepts connections now. */
    boolean listening();

    /**
     * Why it does not listen (waiting for the broker to be ready, held back until
     * authentication is configured, or the bind failed), or null when it does.
     */
    String problem();

    /**
     * Accepted sockets it closed at once, by the limit that refused them: {@code max_connections},
     * {@code max_connection_rate} or {@code max_connections_per_address}.
     *
     * @since 0.2
     */
    default java.util.Map<String, Long> refusedConnections() {
        return java.util.Map.of();
    }
}
