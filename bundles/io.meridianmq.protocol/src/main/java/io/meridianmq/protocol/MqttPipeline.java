package io.meridianmq.protocol;

import java.util.concurrent.CompletionStage;

import io.netty.channel.Channel;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Installs the MQTT codec and connection state machine on accepted channels. Registered as an
 * OSGi service by the protocol bundle; the transport calls it for every new connection.
 *
 * <p>Threading: called on the channel's event loop.
 */
@ProviderType
public interface MqttPipeline {

    /**
     * Adds the MQTT handlers at the end of {@code channel}'s pipeline (after any TLS, WebSocket or
     * PROXY protocol handlers the transport added).
     *
     * @param listenerName the name of the listener that accepted the channel, for logs and plugins
     */
    void initialize(Channel channel, String listenerName);

    /** Like {@link #initialize(Channel, String)}, with the listener's options. */
    default void initialize(Channel channel, String listenerName, ListenerOptions options) {
        initialize(channel, listenerName);
    }

    /**
     * Ends every connection accepted by the named listener, telling MQTT 5 clients that the server
     * is shutting down (DISCONNECT 0x8B), and waits (briefly) until they are closed. Called by the
     * transport when a listener stops.
     */
    void closeConnections(String listenerName);

    /**
     * The largest MQTT packet a client may send now ({@code max_packet_size}): the transport
     * bounds WebSocket frames by it, so that no frame is buffered that the codec would refuse.
     *
     * @since 0.2
     */
    default int maxPacketSize() {
        return 268_435_460;
    }

    /**
     * Completes once the broker takes clients (the container's boot is done, its security
     * plugins started): a listener opens only then, so that no client meets a half-started
     * broker. Completes on a framework thread, or at once.
     *
     * @since 0.3
     */
    CompletionStage<Void> brokerReady();

    /**
     * Completes once clients from beyond this machine would be authenticated (an authentication
     * plugin, or {@code allow_anonymous = true}): a listener beyond loopback waits for it.
     * Completes on a framework thread, or at once; it stays complete.
     *
     * @since 0.3
     */
    CompletionStage<Void> authenticationInPlace();

    /**
     * Connections, CONNECT outcomes, disconnects and unwritten messages, for metrics.
     *
     * @since 0.4
     */
    ConnectionStatistics statistics();

    /**
     * Traces one client's packets, decoded, into {@code data/log/trace-CLIENT.log} for
     * {@code duration}: a connected client from its next packet, a client connecting later from
     * its CONNECT. Tracing again extends or shortens the time.
     *
     * @return the file the trace goes to
     * @since 0.4
     */
    java.nio.file.Path trace(String clientId, java.time.Duration duration);

    /**
     * The clients traced now, with when each trace ends.
     *
     * @since 0.4
     */
    java.util.Map<String, java.time.Instant> traces();

    /**
     * Tells the protocol whether the broker is overloaded: while {@code why} is not null, new
     * CONNECTs are refused (MQTT 5: CONNACK 0x89 server busy; MQTT 3: return code 3) and every
     * publisher is held to {@code overload_publish_rate}; null ends it. Called by the transport's
     * overload protection, from its own thread.
     *
     * @param why what crossed its threshold, for logs and the client's reason string; null when recovered
     * @since 0.5
     */
    void overload(String why);
}
