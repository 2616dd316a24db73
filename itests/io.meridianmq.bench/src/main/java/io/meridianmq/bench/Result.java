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
 * @param delivered what the broker's CPU time is divided by: messages delivered, or clients
 *        connected (0: the scenario has no such count)
 * @param cpuSeconds the broker process's CPU time during the scenario (NaN: not known)
 */
record Result(double value, String unit, boolean higherIsBetter, long lost, String detail, long delivered,
        double cpuSeconds) {

    Result(double value, String unit, boolean higherIsBetter, long lost, String detail) {
        this(value, unit, higherIsBetter, lost, detail, 0, Double.NaN);
    }

    Result withDelivered(long count) {
        return new Result(value, unit, higherIsBetter, lost, detail, count, cpuSeconds);
    }

    /** This result with the broker's CPU time and a note added to its detail. */
    Result withCpu(double seconds, String note) {
        return new Result(value, unit, higherIsBetter, lost, detail + note, delivered, seconds);
    }

    /**
     * Broker CPU seconds per million delivered messages, or milliseconds per thousand
     * connections (the same ratio): NaN when either is unknown.
     */
    double cpuPerMillion() {
        return delivered > 0 && !Double.isNaN(cpuSeconds) ? cpuSeconds * 1e6 / delivered : Double.NaN;
    }

    static Result failed(String why) {
        return new Result(Double.NaN, "", true, -1, "failed: " + why);
    }

    boolean ok() {
        return !Double.isNaN(value);
    }
}
