package io.meridianmq.sdk.auth;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a connecting client may connect. Register it as an OSGi service; the broker
 * asks all authenticators in {@code service.ranking} order (highest first) until one answers
 * {@link Decision#ALLOW} or {@link Decision#DENY}. When every authenticator answers
 * {@link Decision#NEXT} the client is refused.
 *
 * <p>Threading: called on the client's network thread. Return a completed stage for answers you
 * know at once; anything that does I/O must complete the stage later from a thread of its own,
 * never block the calling thread. Calls for different clients may run concurrently.
 *
 * <p>Nullness: the request is never {@code null}; the returned stage must not be {@code null}
 * nor complete with {@code null}. A stage that completes exceptionally refuses the client.
 *
 * @since 0.1
 */
@ConsumerType
public interface Authenticator {

    /** Authenticates one CONNECT. */
    CompletionStage<AuthenticationResult> authenticate(AuthenticationRequest request);
}
