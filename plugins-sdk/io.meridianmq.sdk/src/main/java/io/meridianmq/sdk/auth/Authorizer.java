package io.meridianmq.sdk.auth;

import java.util.concurrent.CompletionStage;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether an authenticated client may publish to a topic or subscribe to a filter.
 * Authorizers form a chain in {@code service.ranking} order (highest first); the first
 * {@link Decision#ALLOW} or {@link Decision#DENY} wins. When no authorizer is registered, or all
 * answer {@link Decision#NEXT}, the operation is allowed.
 *
 * <p>Threading: called on the client's network thread, for every PUBLISH and SUBSCRIBE, so
 * answer from memory with a completed stage; do I/O elsewhere and complete the stage later.
 *
 * <p>Nullness: arguments are never {@code null}; the returned stage must not be {@code null} nor
 * complete with {@code null}. A stage that completes exceptionally denies the operation.
 *
 * @since 0.1
 */
@ConsumerType
public interface Authorizer {

    /**
     * May {@code client} publish to {@code topic}?
     *
     * @param qos the QoS of the PUBLISH (0, 1 or 2)
     * @param retain whether the PUBLISH asks to be retained
     */
    CompletionStage<Decision> authorizePublish(ClientInfo client, String topic, int qos, boolean retain);

    /**
     * May {@code client} subscribe to {@code topicFilter} (which may hold wildcards)?
     *
     * @param qos the maximum QoS the client asked for
     */
    CompletionStage<Decision> authorizeSubscribe(ClientInfo client, String topicFilter, int qos);
}
