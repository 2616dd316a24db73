package io.meridianmq.broker.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.meridianmq.sdk.async.TimeoutFallback;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls plugins away from the network threads, on a small pool of plugin threads, and enforces
 * their timeouts: a callback that throws, or does not return (or resume, when it went
 * asynchronous) within its time, gets its fallback, a log line naming the plugin and a failure
 * mark; other clients are not held up.
 */
final class PluginInvoker {

    private static final Logger LOG = LoggerFactory.getLogger(PluginInvoker.class);
    /** How long a callback may run without going asynchronous. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final ExecutorService pool;
    private final ScheduledExecutorService timers;
    private final Duration callTimeout;
    private final PluginFigures figures;

    PluginInvoker(ScheduledExecutorService timers, Duration callTimeout, PluginFigures figures) {
        this.figures = figures;
        this.timers = timers;
        this.callTimeout = callTimeout;
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(100_000),
                r -> {
                    Thread t = new Thread(r, "meridian-plugins-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    void shutdown() {
        pool.shutdownNow();
    }

    /**
     * Calls {@code callback} with {@code output} on a plugin thread. The returned future
     * completes (never exceptionally) when the output is final.
     */
    <P, O extends PluginOutput> CompletableFuture<O> invoke(Plugin<P> plugin, O output, Consumer<P> callback,
            TimeoutFallback onError) {
        if (plugin.inline) {
            // a first-party plugin that answers from memory: no thread hop, no timer
            run(plugin, output, callback, onError);
            return output.done.thenApply(v -> output);
        }
        ScheduledFutureHolder timeout = new ScheduledFutureHolder();
        try {
            pool.execute(() -> {
                // the plugin's time starts when it starts working, not while its call waited in
                // the queue behind others: a slow neighbour must not make this one fail
                if (output.done.isDone()) {
                    return;
                }
                timeout.future = schedule(() -> {
                    if (output.isAsync()) {
                        return; // its own timeout governs
                    }
                    output.endWith(onError, () -> {
                        LOG.error("Plugin {} did not return within {} ms; applying fallback {}", plugin,
                                callTimeout.toMillis(), onError);
                        figures.of(plugin).timeouts.increment();
                        plugin.failed("blocked for more than " + callTimeout.toMillis() + " ms");
                    });
                }, callTimeout.toMillis());
                run(plugin, output, callback, onError);
            });
        } catch (RejectedExecutionException e) {
            LOG.error("Plugin {} not called: the plugin threads are saturated or stopped; applying its fallback",
                    plugin);
            output.endWith(onError);
        }
        return output.done.thenApply(v -> {
            timeout.cancel();
            return output;
        });
    }

    private <P, O extends PluginOutput> void run(Plugin<P> plugin, O output, Consumer<P> callback,
            TimeoutFallback onError) {
        PluginFigures.Calls calls = figures.of(plugin);
        long started = System.nanoTime();
        try {
            callback.accept(plugin.service);
        } catch (RuntimeException | Error e) {
            calls.latency.record((System.nanoTime() - started) / 1e9);
            output.endWith(onError, () -> {
                LOG.error("Plugin {} failed ({}); applying fallback {}", plugin, e, onError);
                calls.failures.increment();
                plugin.failed(e.toString());
            });
            return;
        }
        if (output.isAsync()) {
            Duration t = output.asyncTimeout();
            TimeoutFallback f = output.asyncFallback();
            java.util.concurrent.ScheduledFuture<?> late = schedule(() -> {
                output.endWith(f, () -> {
                    LOG.warn("Plugin {} did not resume within {} ms; applying fallback {}", plugin, t.toMillis(), f);
                    calls.timeouts.increment();
                    plugin.failed("did not resume within " + t.toMillis() + " ms");
                });
            }, t.toMillis());
            output.done.thenRun(() -> {
                if (late != null) {
                    // out of the timer queue at once: a storm of password checks would otherwise
                    // leave one task per CONNECT there for the whole timeout, each waking the timer
                    late.cancel(false);
                }
                calls.latency.record((System.nanoTime() - started) / 1e9);
                if (!output.fellBack()) {
                    plugin.succeeded();
                }
            });
        } else {
            calls.latency.record((System.nanoTime() - started) / 1e9);
            plugin.succeeded();
            output.returned();
        }
    }

    private java.util.concurrent.ScheduledFuture<?> schedule(Runnable r, long millis) {
        try {
            return timers.schedule(r, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Lets the lambda above refer to the future it is part of. */
    private static final class ScheduledFutureHolder {
        /** Written by the plugin thread that starts the call, read by whoever completes it. */
        volatile java.util.concurrent.ScheduledFuture<?> future;

        void cancel() {
            if (future != null) {
                future.cancel(false);
            }
        }
    }
}
