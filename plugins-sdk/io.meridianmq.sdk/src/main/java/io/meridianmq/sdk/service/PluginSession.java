package io.meridianmq.sdk.service;

import java.util.concurrent.CompletionStage;

import io.meridianmq.sdk.message.PublishProperties;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A session a plugin holds in the broker, like a client's but without a network connection: it
 * subscribes, receives what matches through its {@link PluginSessionReceiver}, and publishes. A
 * persistent one (session expiry above 0) keeps its subscriptions and queues its messages in the
 * broker's store while it is closed, bounded by the broker's queue limits, and gives them again,
 * in order, when it is opened again with the same client id. For bridges and other plugins that
 * move messages into and out of the broker. Plugins are trusted: no authenticator or authorizer
 * is asked about a plugin session; interceptors see its messages like any client's.
 *
 * <p>Threading: thread-safe; no method blocks. Nullness: arguments must not be {@code null};
 * results are never {@code null}.
 *
 * @since 1.1
 */
@ProviderType
public interface PluginSession extends AutoCloseable {

    /** The client id the session has in the broker (publisher id of what it publishes). */
    String clientId();

    /** Whether the broker had this session already (persistent, from an earlier opening). */
    boolean resumed();

    /**
     * Subscribes. With {@code noLocal} the session does not get what it published itself back
     * (a bridge's loop guard); with {@code retainAsPublished} the retain flag stays as published.
     *
     * @return completes with the granted QoS, or with 0x80 when the broker refused
     */
    CompletionStage<Integer> subscribe(String topicFilter, int qos, boolean noLocal, boolean retainAsPublished);

    /** Removes a subscription; completes when it is gone. */
    CompletionStage<Void> unsubscribe(String topicFilter);

    /**
     * Publishes as this session (as a client would). Completes once the broker took the message
     * as it does before a PUBACK or PUBREC: routed, and for QoS 1 and 2 stored for the persistent
     * sessions it went to; fails (with a message saying why) when it could not be taken, so that
     * the caller still has it and may send it again.
     */
    CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties);

    /**
     * Ends the session's connection. A persistent session stays in the broker and queues what
     * matches its subscriptions; the messages given but not acknowledged are given again at the
     * next opening.
     */
    @Override
    void close();
}
