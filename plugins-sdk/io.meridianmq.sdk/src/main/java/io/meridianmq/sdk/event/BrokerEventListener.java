package io.meridianmq.sdk.event;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears what happens to clients, for audit logs and integrations. Implement the methods you need;
 * the others do nothing.
 *
 * <p>Threading: called on a broker event thread, in order for each client, never on a network
 * thread; a slow listener delays only other events (a bounded queue; events beyond it are
 * dropped and counted). Exceptions are logged with the plugin's name and otherwise ignored.
 *
 * <p>Nullness: arguments are never {@code null}.
 *
 * @since 1.0
 */
@ConsumerType
public interface BrokerEventListener {

    /** A client was authenticated and its CONNACK sent. */
    default void clientConnected(ClientInfo client) {
    }

    /** A client was refused at CONNECT. */
    default void authenticationFailed(ClientInfo client, String reason) {
    }

    default void subscribed(ClientInfo client, String topicFilter, int grantedQos) {
    }

    default void unsubscribed(ClientInfo client, String topicFilter) {
    }

    /** A client's connection ended; {@code reason} says how ("DISCONNECT", "connection lost", ...). */
    default void clientDisconnected(ClientInfo client, String reason) {
    }

    /** A message was not delivered to {@code client} (queue full, too large, dropped by a plugin, ...). */
    default void messageDropped(ClientInfo client, String topic, String why) {
    }
}
