package io.meridianmq.broker.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.client.ClientInfo;

/**
 * How one kind of decision walks its plugin chain: what each plugin is asked, what it writes
 * into, when the walk stops, and what the walk answers past the last plugin or when it fails
 * closed. {@link #run} is the one walker every chain uses: plugins are asked in ranking order, on
 * the plugin threads ({@link PluginInvoker}), until one decides; a disabled plugin that guards
 * access ends the walk denying, any other disabled plugin is passed over.
 *
 * <p>Walks are stateless constants; {@link #run} may be called on any thread and completes on
 * whichever thread the last plugin answered on.
 *
 * @param <P> the plugin type
 * @param <I> what the plugins are given (the input)
 * @param <O> what they write into (the output)
 */
abstract class ChainWalk<P, I, O extends PluginOutput> {

    /**
     * The role a disabled {@code plugin} fails closed in ("authorizer"), or null when a disabled
     * one is passed over. A guarding plugin that fails or times out gets {@code FAILURE}, whatever
     * it asked; any other gets {@code SUCCESS}.
     */
    abstract String guards(Plugin<P> plugin);

    /** The output the next plugin writes into, carrying what the one before left ({@code previous}). */
    abstract O next(O previous);

    /** Asks one plugin. */
    abstract void ask(P plugin, I input, O output);

    /** Whether {@code output} ends the walk. */
    abstract boolean decided(O output);

    /** What the walk answers when no plugin decided; {@code last} is the last output (or the seed). */
    O end(O last) {
        return last;
    }

    /** What the walk answers when it fails closed, for {@code why}. */
    abstract O closed(String why);

    /**
     * Walks {@code chain} from its first plugin.
     *
     * @param seed the output before any plugin (what {@link #next} starts from)
     * @param stopped a stopped bundle of this chain's role that fails the walk closed, or null
     */
    final CompletableFuture<O> run(PluginHost host, List<Plugin<P>> chain, I input, O seed, ClientInfo client,
            String stopped) {
        if (stopped != null) {
            return CompletableFuture.completedFuture(closed(host.failedClosed(stopped + " is stopped", client)));
        }
        return from(host, chain, 0, input, seed, client);
    }

    private CompletableFuture<O> from(PluginHost host, List<Plugin<P>> chain, int index, I input, O carried,
            ClientInfo client) {
        int i = index;
        while (i < chain.size() && !chain.get(i).isEnabled()) {
            String role = guards(chain.get(i));
            if (role != null) {
                // fail closed: the disabled plugin might have been the one to refuse
                return CompletableFuture.completedFuture(
                        closed(host.failedClosed(role + " " + chain.get(i) + " is disabled", client)));
            }
            i++;
        }
        if (i >= chain.size()) {
            return CompletableFuture.completedFuture(end(carried));
        }
        Plugin<P> plugin = chain.get(i);
        int next = i + 1;
        O output = next(carried);
        TimeoutFallback fallback = guards(plugin) != null ? TimeoutFallback.FAILURE : TimeoutFallback.SUCCESS;
        return host.invoker().invoke(plugin, output, p -> ask(p, input, output), fallback)
                .thenCompose(out -> decided(out) ? CompletableFuture.completedFuture(out)
                        : from(host, chain, next, input, out, client));
    }
}
