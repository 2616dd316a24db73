package io.meridianmq.broker;

/**
 * A histogram as it is now: counts per bucket (not cumulative), the last bucket being
 * everything above the highest bound, and the sum of all observations.
 *
 * @param upperBoundsSeconds each bucket's upper bound (inclusive), ascending (seconds for latencies)
 * @param bucketCounts one more entry than {@code upperBoundsSeconds}: the last counts the rest
 * @param sumSeconds the sum of every observation, in seconds
 * @since 0.3
 */
public record HistogramSnapshot(double[] upperBoundsSeconds, long[] bucketCounts, double sumSeconds) {

    /** How many observations in all. */
    public long count() {
        long n = 0;
        for (long c : bucketCounts) {
            n += c;
        }
        return n;
    }
}
