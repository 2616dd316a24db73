package io.meridianmq.sdk.service;

import java.util.Collection;
import java.util.Map;

import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.message.PublishProperties;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a plugin may ask of the broker. Get it as an OSGi service.
 *
 * <p>Threading: thread-safe; every method returns quickly (nothing waits for a client).
 * Nullness: arguments must not be {@code null} and results are never {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface BrokerServices {

    /** Publishes a message as the broker itself (no client, no authorization). */
    void publish(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties);

    /** The clients connected now. */
    Collection<ClientInfo> connectedClients();

    /** The subscriptions (topic filter to granted QoS) of a client's session; empty if it has none. */
    Map<String, Integer> subscriptions(String clientId);

    /**
     * The retained messages whose topics match {@code topicFilter} (wildcards allowed), at most
     * {@code limit} of them.
     */
    java.util.List<RetainedMessageView> retained(String topicFilter, int limit);

    /**
     * Opens the plugin session {@code clientId} (a client id no client should use; a client
     * connecting with it takes the session over): persistent when {@code sessionExpirySeconds} is
     * above 0 (0xFFFFFFFF: never expires), resumed if the broker has it. Its messages go to
     * {@code receiver}, at most {@code receiveMaximum} QoS 1/2 ones unacknowledged at once; the
     * others wait in its queue, up to {@code maxQueuedMessages} (0: the broker's
     * {@code max_queued_messages}), beyond which a message is dropped, counted and logged as for a
     * client's session. With a bound of its own the queue waits on disk beyond its first messages
     * even while the session is open, and a plugin session never holds publishers back nor counts
     * as a slow consumer: a bridge waits for its remote broker as long as it takes.
     *
     * @return completes with the open session; fails with a message saying why the broker refused
     * @since 1.1
     */
    java.util.concurrent.CompletionStage<PluginSession> openSession(String clientId, long sessionExpirySeconds,
            int receiveMaximum, int maxQueuedMessages, PluginSessionReceiver receiver);

    /** Closes a client's connection (MQTT 5: DISCONNECT 0x98 administrative action); false if not connected. */
    boolean disconnect(String clientId, String reason);
}
