package io.meridianmq.broker.internal;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.meridianmq.sdk.service.Counter;

import org.osgi.service.component.annotations.Component;

/**
 * All metrics by name: counters and gauges registered by the broker and by plugins (through
 * {@link PluginMetricsService}, which removes a plugin's metrics when it goes away).
 */
@Component(service = MetricsRegistry.class)
public class MetricsRegistry {

    private final ConcurrentHashMap<String, LongSupplier> metrics = new ConcurrentHashMap<>();

    /** A lock-free counter. */
    static final class AdderCounter implements Counter {
        private final LongAdder adder = new LongAdder();

        @Override
        public void increment() {
            adder.increment();
        }

        @Override
        public void add(long amount) {
            adder.add(amount);
        }

        @Override
        public long value() {
            return adder.sum();
        }
    }

    Counter counter(String name) {
        AdderCounter c = new AdderCounter();
        LongSupplier existing = metrics.putIfAbsent(name, c::value);
        if (existing != null) {
            throw new IllegalArgumentException("metric '" + name + "' is already registered");
        }
        return c;
    }

    void gauge(String name, LongSupplier value) {
        metrics.put(name, value);
    }

    void remove(String name) {
        metrics.remove(name);
    }

    SortedMap<String, Long> snapshot() {
        SortedMap<String, Long> now = new TreeMap<>();
        for (Map.Entry<String, LongSupplier> e : metrics.entrySet()) {
            try {
                now.put(e.getKey(), e.getValue().getAsLong());
            } catch (RuntimeException failed) {
                now.put(e.getKey(), -1L); // a plugin's gauge threw: shown, not fatal
            }
        }
        return now;
    }
}
