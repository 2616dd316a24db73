package io.meridianmq.broker.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.meridianmq.broker.AuthenticationExchange;
import io.meridianmq.sdk.async.Async;
import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.auth.AuthenticationStep;
import io.meridianmq.sdk.auth.EnhancedAuthentication;
import io.meridianmq.sdk.auth.EnhancedAuthenticator;
import io.meridianmq.sdk.client.ClientInfo;

/**
 * Runs one enhanced authentication exchange through the {@link PluginInvoker}: the plugin's
 * {@code begin} and every {@code step} run on a plugin thread with the call timeout, a stage that
 * completes later must do so within {@link #STEP_TIMEOUT}, and a plugin that throws, misses its
 * time or is disabled fails the step (fail closed), counts toward disabling it, and is logged.
 *
 * <p>Threading: {@link #step} is called once at a time by the client's connection; {@code
 * exchange} is written and read only on the plugin thread running the current step (steps do not
 * overlap, and the pool's hand-off orders them).
 */
final class PluginAuthenticationExchange implements AuthenticationExchange {

    /** How long a step's stage may take to complete (as the SDK documents). */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

    private final Plugin<EnhancedAuthenticator> plugin;
    private final ClientInfo client;
    private final PluginInvoker invoker;
    private EnhancedAuthentication exchange;

    PluginAuthenticationExchange(Plugin<EnhancedAuthenticator> plugin, ClientInfo client, PluginInvoker invoker) {
        this.plugin = plugin;
        this.client = client;
        this.invoker = invoker;
    }

    @Override
    public CompletionStage<AuthenticationStep> step(byte[] clientData) {
        if (!plugin.isEnabled()) {
            return CompletableFuture.completedFuture(AuthenticationStep.failure(
                    "enhanced authenticator " + plugin + " is disabled"));
        }
        PluginOutputs.EnhancedStep output = new PluginOutputs.EnhancedStep();
        return invoker.invoke(plugin, output, authenticator -> {
            if (exchange == null) {
                exchange = authenticator.begin(client);
            }
            CompletableFuture<AuthenticationStep> stage = exchange.step(clientData).toCompletableFuture();
            if (stage.isDone()) {
                output.step = stage.join(); // throws (and so fails the step) if it failed
                return;
            }
            Async async = output.async(STEP_TIMEOUT, TimeoutFallback.FAILURE);
            stage.whenComplete((step, failure) -> {
                if (failure == null && step != null) {
                    output.step = step;
                }
                async.resume();
            });
        }, TimeoutFallback.FAILURE).thenApply(PluginOutputs.EnhancedStep::result);
    }
}
