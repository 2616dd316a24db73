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

    /** Starts deliveries (resending unacknowledged messages, then queued ones). Call after CONNACK. */
    void open();

    /**
     * Handles a PUBLISH from the client. {@code onAccepted} runs once the message is routed (or,
     * for a QoS 2 duplicate, recognised) and the client may be acknowledged (PUBACK/PUBREC).
     */
    void publish(InboundPublish publish, Runnable onAccepted);

    /** PUBREL from the client for an incoming QoS 2 message; {@code onReleased} then sends PUBCOMP. */
    void release(int packetId, Runnable onReleased);

    /** PUBACK from the client for an outgoing QoS 1 message. */
    void acknowledge(int packetId);

    /** PUBREC from the client for an outgoing QoS 2 message (the core answers with PUBREL). */
    void received(int packetId);

    /** PUBCOMP from the client for an outgoing QoS 2 message. */
    void complete(int packetId);

    /**
     * Adds subscriptions; {@code onGranted} receives one granted QoS (or 0x80 for a failure) per
     * entry and runs before any retained message of these subscriptions is sent.
     */
    void subscribe(List<TopicSubscription> subscriptions, Consumer<int[]> onGranted);

    /** Removes subscriptions; {@code onDone} then sends UNSUBACK. */
    void unsubscribe(List<String> topicFilters, Runnable onDone);

    /**
     * The connection ended. {@code graceful} is true after DISCONNECT (the will is discarded),
     * false otherwise (the will is published).
     */
    void disconnected(boolean graceful);
}
