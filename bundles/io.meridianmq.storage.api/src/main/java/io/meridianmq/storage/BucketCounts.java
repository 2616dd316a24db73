package io.meridianmq.storage;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram with fixed, ascending bucket bounds, as Prometheus draws them: recording is a
 * search over the bounds and two adder additions, without a lock; readers take the counts when
 * they ask. The store records its commits in two ({@link SessionStore#commitLatency()},
 * {@link SessionStore#commitBatchSize()}); the broker core its plugin calls.
 *
 * <p>Threading: any thread.
 *
 * @since 0.5
 */
public final class BucketCounts {

    /** Bounds for latencies, in seconds: 100 µs to 10 s. */
    public static final double[] LATENCY_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final double[] upperBounds;
    private final LongAdder[] counts;
    private final DoubleAdder sum = new DoubleAdder();

    /** @param upperBounds each bucket's upper bound (inclusive), ascending; one more bucket takes the rest */
    public BucketCounts(double... upperBounds) {
        for (int i = 1; i < upperBounds.length; i++) {
            if (upperBounds[i] <= upperBounds[i - 1]) {
                throw new IllegalArgumentException("bucket bounds must ascend: " + java.util.Arrays.toString(upperBounds));
            }
        }
        this.upperBounds = upperBounds.clone();
        this.counts = new LongAdder[upperBounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    public void record(double value) {
        int i = 0;
        while (i < upperBounds.length && value > upperBounds[i]) {
            i++;
        }
        counts[i].increment();
        sum.add(value);
    }

    /** The bounds, ascending. */
    public double[] upperBounds() {
        return upperBounds.clone();
    }

    /** Each bucket's count (not cumulative); the last one counts what lies above every bound. */
    public long[] counts() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return c;
    }

    /** The sum of every value recorded. */
    public double sum() {
        return sum.sum();
    }
}
