package io.meridianmq.sdk.interceptor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees every CONNECT after authentication, before the session is attached; may change the
 * session expiry or refuse the connection. Interceptors run in {@code service.ranking} order.
 *
 * <p>Threading: called on a broker plugin thread. A callback that throws lets the connection
 * through unchanged by this plugin, with a log line naming it.
 *
 * <p>Nullness: arguments are never {@code null}.
 *
 * @since 1.0
 */
@ConsumerType
public interface ConnectInterceptor {

    void onConnect(ConnectInput input, ConnectOutput output);
}
