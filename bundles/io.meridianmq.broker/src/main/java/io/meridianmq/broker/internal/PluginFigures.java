package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.meridianmq.broker.PluginCalls;
import io.meridianmq.storage.BucketCounts;

/**
 * What plugin calls cost, by plugin name: latency from a call's start on its thread to its final
 * answer, calls that threw, calls that timed out. Kept by name so that a plugin bundle updated
 * in place continues its figures.
 *
 * <p>Threading: any thread; recording is lock-free.
 */
final class PluginFigures {

    /** One plugin's figures. */
    static final class Calls {
        /** Seconds from a call's start to its answer. */
        final BucketCounts latency = new BucketCounts(BucketCounts.LATENCY_SECONDS);
        final LongAdder failures = new LongAdder();
        final LongAdder timeouts = new LongAdder();
    }

    private final ConcurrentHashMap<String, Calls> byName = new ConcurrentHashMap<>();

    /** The figures of {@code plugin} (cached on it: one map lookup per plugin, not per call). */
    Calls of(Plugin<?> plugin) {
        Calls c = plugin.figures;
        if (c == null) {
            c = byName.computeIfAbsent(plugin.name, n -> new Calls());
            plugin.figures = c;
        }
        return c;
    }

    List<PluginCalls> snapshot() {
        List<PluginCalls> all = new ArrayList<>();
        byName.forEach((name, c) -> all.add(new PluginCalls(name, CoreStatistics.snapshot(c.latency),
                c.failures.sum(), c.timeouts.sum())));
        all.sort((a, b) -> a.name().compareTo(b.name()));
        return all;
    }
}
