package io.meridianmq.management.internal.sys;

/**
 * One of Mosquitto's {@code $SYS/broker/load/...} figures: a counter's rate per minute,
 * averaged exponentially over 1, 5 and 15 minutes, updated at each {@code sys_interval}.
 *
 * <p>Threading: the {@code $SYS} publisher's thread only.
 */
final class LoadAverage {

    private static final int[] MINUTES = {1, 5, 15};

    private final double[] averages = new double[MINUTES.length];
    private long last = -1;

    /** Takes the counter's value {@code now}, {@code intervalSeconds} after the previous one. */
    void update(long now, double intervalSeconds) {
        if (last >= 0 && intervalSeconds > 0) {
            double perMinute = Math.max(0, now - last) * 60.0 / intervalSeconds;
            for (int i = 0; i < MINUTES.length; i++) {
                double decay = Math.exp(-intervalSeconds / (MINUTES[i] * 60.0));
                averages[i] = perMinute + (averages[i] - perMinute) * decay;
            }
        }
        last = now;
    }

    /** The average over {@code 1min}, {@code 5min} or {@code 15min}, as the topic's last level names it. */
    double over(int index) {
        return averages[index];
    }

    /** The topic levels of the three averages, in {@link #over} order. */
    static String[] levels() {
        return new String[] {"1min", "5min", "15min"};
    }
}
