package io.meridianmq.broker.internal;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.OutboundPublish;

/**
 * The connection a session's deliveries go to (none while the client is offline), and whether
 * writes to it wait for a flush: the session flushes once after each batch of tasks, not once
 * a message.
 *
 * <p>Threading: the session's thread only.
 */
final class DeliveryTarget {

    private final Traffic traffic;
    private ClientConnection connection;
    private boolean unflushed;

    DeliveryTarget(Traffic traffic) {
        this.traffic = traffic;
    }

    /** The connection now, or null; to tell later whether it is still the same one. */
    ClientConnection connection() {
        return connection;
    }

    boolean isSet() {
        return connection != null;
    }

    /** Whether {@code c} is the connection deliveries go to now. */
    boolean is(ClientConnection c) {
        return connection == c;
    }

    void set(ClientConnection c) {
        connection = c;
    }

    void clear() {
        connection = null;
    }

    /** Writes {@code publish}; false when the client cannot take it (larger than its maximum packet size). */
    boolean send(OutboundPublish publish) {
        unflushed = true;
        boolean sent = connection.sendPublish(publish);
        if (sent) {
            traffic.sent(publish.qos(), publish.payload().length);
        }
        return sent;
    }

    void sendPubrel(int packetId) {
        connection.sendPubrel(packetId);
        unflushed = true;
    }

    /** Something else wrote to the connection (an acknowledgement): the batch's flush covers it. */
    void written() {
        unflushed = true;
    }

    void flushIfNeeded() {
        if (unflushed && connection != null) {
            unflushed = false;
            connection.flush();
        }
    }
}
