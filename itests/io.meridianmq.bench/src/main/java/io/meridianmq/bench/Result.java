package io.meridianmq.bench;

/**
 * What one scenario measured against one broker.
 *
 * @param value the figure that is compared: delivered messages per second, p99 latency in
 *        milliseconds, or resident KB per idle connection
 * @param unit its unit, for the table
 * @param higherIsBetter how to compare
 * @param lost messages that should have arrived and did not (0 for scenarios without messages)
 * @param detail more figures for the notes (p50/p99.9, kept up, sent/received)
 */
record Result(double value, String unit, boolean higherIsBetter, long lost, String detail) {

    static Result failed(String why) {
        return new Result(Double.NaN, "", true, -1, "failed: " + why);
    }

    boolean ok() {
        return !Double.isNaN(value);
    }
}
