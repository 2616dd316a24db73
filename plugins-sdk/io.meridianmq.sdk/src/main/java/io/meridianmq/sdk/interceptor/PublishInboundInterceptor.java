package io.meridianmq.sdk.interceptor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees every PUBLISH from every client (including clients connected before the plugin started)
 * after authorization and before routing; may change or drop it. Several interceptors run one
 * after another in {@code service.ranking} order (highest first), each seeing the previous
 * one's changes.
 *
 * <p>Threading: called on a broker plugin thread, never on a network thread; the messages of one
 * client are intercepted in order. A callback that throws or does not resume in time gets its
 * fallback ({@code FAILURE} drops the message, {@code SUCCESS} routes it unchanged by this
 * plugin) and a log line naming the plugin; a plugin that fails many times in a row is disabled.
 *
 * <p>Nullness: arguments are never {@code null}.
 *
 * @since 1.0
 */
@ConsumerType
public interface PublishInboundInterceptor {

    void onInboundPublish(PublishInboundInput input, PublishInboundOutput output);
}
