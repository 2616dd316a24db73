package io.meridianmq.broker.internal;

import java.util.concurrent.atomic.LongAdder;

import io.meridianmq.broker.HistogramSnapshot;

/**
 * A latency histogram with fixed buckets from 100 µs to 10 s, in the shape Prometheus expects;
 * recording is a bucket search over 16 bounds and two {@link LongAdder} additions, no lock.
 *
 * <p>Threading: any thread.
 */
final class LatencyBuckets {

    private static final double[] BOUNDS_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
    }

    private final LongAdder[] counts = new LongAdder[BOUNDS_SECONDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    LatencyBuckets() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        counts[i].increment();
        sumNanos.add(nanos);
    }

    HistogramSnapshot snapshot() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return new HistogramSnapshot(BOUNDS_SECONDS.clone(), c, sumNanos.sum() / 1e9);
    }
}
