package io.meridianmq.broker;

import java.util.concurrent.CompletionStage;

import io.meridianmq.sdk.auth.AuthenticationStep;

/**
 * One MQTT 5 enhanced authentication exchange (CONNECT or re-authentication), run by the broker:
 * every step is a plugin call on a plugin thread, never on the caller's network thread, with the
 * plugins' timeouts and fault handling.
 *
 * <p>Threading: call {@link #step} once at a time (the next after the previous completed); the
 * stage completes on a plugin or timer thread, never exceptionally: a plugin that throws,
 * times out or is disabled gives a failure step.
 */
public interface AuthenticationExchange {

    /** Hands the client's authentication data (empty when it sent none) to the plugin. */
    CompletionStage<AuthenticationStep> step(byte[] clientData);
}
