package io.meridianmq.sdk.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether an authenticated client may publish to a topic or subscribe to a filter.
 * Authorizers form a chain in {@code service.ranking} order (highest first); the first allow or
 * deny wins. When none is registered, or all say "next", the operation is allowed.
 *
 * <p>Threading: called on a broker plugin thread for every PUBLISH and SUBSCRIBE (only while at
 * least one authorizer is registered): answer from memory, go asynchronous for I/O. A callback
 * that throws denies the operation and is logged with the plugin's name.
 *
 * <p>Nullness: arguments are never {@code null}.
 *
 * @since 1.0
 */
@ConsumerType
public interface Authorizer {

    /** May the client publish? */
    void authorizePublish(PublishAuthorizationInput input, AuthorizationOutput output);

    /** May the client subscribe? */
    void authorizeSubscribe(SubscribeAuthorizationInput input, AuthorizationOutput output);
}
