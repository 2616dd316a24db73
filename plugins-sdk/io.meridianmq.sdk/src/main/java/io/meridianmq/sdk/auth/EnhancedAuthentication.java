package io.meridianmq.sdk.auth;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One enhanced authentication exchange with one client, from the first data (in CONNECT or AUTH)
 * to success or failure.
 *
 * <p>Threading: steps of one exchange are called one after another, never concurrently, on a
 * plugin thread (since 1.2; before, on the client's network thread), like every other plugin
 * call: a step must return within the plugins' call timeout (5 seconds); complete the stage from
 * another thread for anything slower. A step that throws, does not return in time, completes
 * exceptionally or does not complete within 10 seconds refuses the client (CONNACK 0x87, or
 * DISCONNECT 0x87 when re-authenticating), with a log line, and counts as a failure of the plugin
 * (ten in a row disable it; a disabled method refuses every client that asks for it).
 * Nullness: {@code clientData} is an empty array when the client sent no authentication data.
 *
 * @since 0.1
 */
@ConsumerType
public interface EnhancedAuthentication {

    /** Handles the client's authentication data and says what happens next. */
    CompletionStage<AuthenticationStep> step(byte[] clientData);
}
