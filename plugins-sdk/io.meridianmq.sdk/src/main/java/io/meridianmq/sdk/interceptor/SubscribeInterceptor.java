package io.meridianmq.sdk.interceptor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees each entry of every SUBSCRIBE before authorization and may change its filter or QoS, or
 * refuse it. Interceptors run in {@code service.ranking} order (highest first).
 *
 * <p>Threading: called on a broker plugin thread; a client's SUBSCRIBEs are handled in order.
 * A callback that throws leaves the entry unchanged by this plugin, with a log line naming it.
 *
 * <p>Nullness: arguments are never {@code null}.
 *
 * @since 1.0
 */
@ConsumerType
public interface SubscribeInterceptor {

    void onSubscribe(SubscribeInput input, SubscribeOutput output);
}
