package io.meridianmq.sdk.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a connecting client may connect. Register it as an OSGi service; the broker
 * asks all authenticators in {@code service.ranking} order (highest first) until one allows or
 * denies. When every authenticator says "next", the client is refused. A plugin bundle that is
 * installed, updated or removed joins or leaves the chain at once.
 *
 * <p>Threading: called on a broker plugin thread, never on a network thread; several clients'
 * calls may run concurrently. Go asynchronous ({@link AuthenticationOutput#async}) for I/O.
 * A callback that throws gets its {@link io.meridianmq.sdk.async.TimeoutFallback#FAILURE
 * FAILURE} outcome (the client is refused) and a log line naming the plugin; a plugin that fails
 * many times in a row is disabled.
 *
 * <p>Nullness: arguments are never {@code null}.
 *
 * @since 1.0
 */
@ConsumerType
public interface Authenticator {

    /** Authenticates one CONNECT. */
    void authenticate(AuthenticationInput input, AuthenticationOutput output);
}
