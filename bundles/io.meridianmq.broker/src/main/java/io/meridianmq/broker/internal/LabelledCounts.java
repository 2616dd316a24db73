package io.meridianmq.broker.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters by a label whose values are few and known only as they come (an authentication
 * method, an authorization action): one {@link LongAdder} per value, made on first use.
 *
 * <p>Threading: any thread.
 */
final class LabelledCounts {

    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts that start at zero for {@code known} labels, so that their series exist before the first event. */
    LabelledCounts(String... known) {
        for (String label : known) {
            counts.put(label, new LongAdder());
        }
    }

    void increment(String label) {
        LongAdder a = counts.get(label);
        if (a == null) {
            a = counts.computeIfAbsent(label, k -> new LongAdder());
        }
        a.increment();
    }

    /** Each label's count now, sorted by label. */
    Map<String, Long> snapshot() {
        Map<String, Long> now = new TreeMap<>();
        counts.forEach((k, v) -> now.put(k, v.sum()));
        return now;
    }
}
