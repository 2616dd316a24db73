package io.meridianmq.sdk.interceptor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees every ended connection before its will is handled; may suppress the will.
 *
 * <p>Threading: called on a broker plugin thread. A callback that throws or times out leaves the
 * will as it was, with a log line naming the plugin.
 *
 * <p>Nullness: arguments are never {@code null}.
 *
 * @since 1.0
 */
@ConsumerType
public interface DisconnectInterceptor {

    void onDisconnect(DisconnectInput input, DisconnectOutput output);
}
