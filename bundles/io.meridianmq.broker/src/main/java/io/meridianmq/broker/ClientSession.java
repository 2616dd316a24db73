package io.meridianmq.broker;

import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One accepted connection's handle on its session; the protocol layer calls it as packets
 * arrive.
 *
 * <p>Threading: call it from the connection's executor only. Callbacks run on the session's
 * thread, which is the connection's executor while it is connected.
 */
@ProviderType
public interface ClientSession {

    /** The client identifier in force. */
    String clientId();

    /** Who the client is now (user name, roles, credentials expiry), as plugins see it. */
    io.meridianmq.sdk.client.ClientInfo client();

    /**
     * The client re-authenticated (MQTT 5 AUTH): from now on plugins see it as {@code identity}.
     * Returns the updated view.
     */
    io.meridianmq.sdk.client.ClientInfo reauthenticated(io.meridianmq.sdk.auth.Identity identity);

    /** Starts deliveries (resending unacknowledged messages, then queued ones). Call after CONNACK. */
    void open();

    /**
     * Handles a PUBLISH from the client. {@code onAccepted} receives the reason code for PUBACK or
     * PUBREC once the message is routed (or, for a QoS 2 duplicate, recognised): 0x00 success,
     * 0x10 no matching subscribers, 0x87 not authorized (MQTT 3 clients get a plain ack), 0x80
     * the store cannot write it for the persistent sessions it went to (MQTT 3 clients, which
     * have no negative acknowledgement, must be disconnected instead of acknowledged; since 0.5).
     */
    void publish(InboundPublish publish, java.util.function.IntConsumer onAccepted);

    /**
     * PUBREL from the client for an incoming QoS 2 message; {@code onReleased} then sends PUBCOMP
     * with the reason code it receives (0x00, or 0x92 packet identifier not found).
     */
    void release(int packetId, java.util.function.IntConsumer onReleased);

    /** PUBACK from the client for an outgoing QoS 1 message. */
    void acknowledge(int packetId);

    /** PUBREC from the client for an outgoing QoS 2 message (the core answers with PUBREL). */
    void received(int packetId);

    /** PUBCOMP from the client for an outgoing QoS 2 message. */
    void complete(int packetId);

    /**
     * The client's connection takes more writes ({@code true}) or its buffer is full: while it
     * is full, clients publishing to this one are paused ({@link ClientConnection#pauseReading}).
     */
    default void writabilityChanged(boolean writable) {
    }

    /**
     * Adds subscriptions; {@code onGranted} receives one granted QoS (or 0x80 for a failure) per
     * entry and runs before any retained message of these subscriptions is sent.
     */
    void subscribe(List<TopicSubscription> subscriptions, Consumer<int[]> onGranted);

    /**
     * Removes subscriptions; {@code onDone} then sends UNSUBACK with one reason code per filter
     * (0x00 success, 0x11 no subscription existed).
     */
    void unsubscribe(List<String> topicFilters, Consumer<int[]> onDone);

    /**
     * The connection ended. {@code publishWill} is false after a normal DISCONNECT, true
     * otherwise (including MQTT 5 DISCONNECT with reason 0x04).
     *
     * @param sessionExpirySeconds a new session expiry interval from the client's DISCONNECT,
     *        or -1 to keep the one from CONNECT
     */
    void disconnected(boolean publishWill, long sessionExpirySeconds);

    /** Shorthand for {@code disconnected(publishWill, -1)}. */
    default void disconnected(boolean publishWill) {
        disconnected(publishWill, -1);
    }
}
