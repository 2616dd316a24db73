package io.meridianmq.transport.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

/**
 * Measures each event loop's lag: a task scheduled on it every 500 ms notes how much later than
 * due it ran. The probe costs one timer task per loop per half second.
 *
 * <p>Threading: the probes run on their loops; {@link #lagNanos()} on any thread.
 */
final class LagProbe {

    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final ConcurrentHashMap<String, Long> lag = new ConcurrentHashMap<>();

    void start(EventLoopGroup loops) {
        for (EventExecutor loop : loops) {
            schedule(loop);
        }
    }

    private void schedule(EventExecutor loop) {
        if (loop.isShuttingDown()) {
            return;
        }
        long due = System.nanoTime() + PERIOD_NANOS;
        try {
            loop.schedule(() -> {
                lag.put(Thread.currentThread().getName(), Math.max(0, System.nanoTime() - due));
                schedule(loop);
            }, PERIOD_NANOS, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // the loop is shutting down: no more probes
        }
    }

    Map<String, Long> lagNanos() {
        return new TreeMap<>(lag);
    }
}
