package io.meridianmq.protocol;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The protocol layer's figures for operators: connections now, CONNECT outcomes and the ways
 * connections ended since start, and the messages it did not write (the core counts the rest).
 * Counting never takes a lock.
 *
 * <p>Threading: any thread; a figure read while clients come and go may be a moment old.
 *
 * @since 0.4
 */
@ProviderType
public interface ConnectionStatistics {

    /** Open connections by listener name, those before CONNACK included. */
    Map<String, Long> connectionsByListener();

    /**
     * CONNECT outcomes: {@code accepted}, or the refusal's reason ({@code not_authorized},
     * {@code bad_username_or_password}, {@code server_unavailable}, {@code quota_exceeded},
     * {@code protocol_error}, ...), the same words for MQTT 3 and 5.
     */
    Map<String, Long> connects();

    /**
     * How accepted connections ended: {@code client_disconnect} (DISCONNECT),
     * {@code client_disconnect_with_will}, {@code connection_lost}, {@code network_error}, or the
     * server's DISCONNECT reason ({@code keep_alive_timeout}, {@code session_taken_over},
     * {@code protocol_error}, {@code server_shutting_down}, ...).
     */
    Map<String, Long> disconnects();

    /** The most connections open at once since the broker started. */
    long peakConnections();

    /** PUBLISH packets not written because they exceed the client's Maximum Packet Size. */
    long droppedTooLarge();

    /** QoS 0 PUBLISH packets not written to a client that reads far too slowly. */
    long droppedSlowReader();

    /**
     * How often a limit held a client back or refused it: {@code publish_rate} and
     * {@code publish_bytes_rate} (its reading paused), {@code overload} (a CONNECT refused while
     * the broker was overloaded). Rate limiting delays; it drops nothing.
     *
     * @since 0.5
     */
    Map<String, Long> rateLimited();

    /**
     * Why the broker is overloaded now (new CONNECTs refused, publishers slowed), or null.
     *
     * @since 0.5
     */
    String overloaded();
}
