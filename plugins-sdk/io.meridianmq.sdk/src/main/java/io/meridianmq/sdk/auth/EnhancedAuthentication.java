package io.meridianmq.sdk.auth;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One enhanced authentication exchange with one client, from the first data (in CONNECT or AUTH)
 * to success or failure.
 *
 * <p>Threading: steps of one exchange are called one after another, never concurrently, on the
 * client's network thread; complete the stage from another thread for anything that does I/O.
 * A step that throws, completes exceptionally or does not complete within 10 seconds refuses the
 * client (CONNACK 0x87, or DISCONNECT 0x87 when re-authenticating), with a log line.
 * Nullness: {@code clientData} is an empty array when the client sent no authentication data.
 *
 * @since 0.1
 */
@ConsumerType
public interface EnhancedAuthentication {

    /** Handles the client's authentication data and says what happens next. */
    CompletionStage<AuthenticationStep> step(byte[] clientData);
}
