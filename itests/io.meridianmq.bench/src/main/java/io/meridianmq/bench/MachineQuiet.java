package io.meridianmq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * Waits, before a latency scenario, until the whole machine is quiet, not only the broker.
 *
 * <p>Why: on the machine these figures come from, the kernel's memory monitor (DAMON, thread
 * {@code kdamond.0}) works in bursts of 25-45 ms every 0.5 s for tens of seconds after a flood
 * scenario has touched a few GB of JVM heap, and each burst holds one of the two cores: the
 * messages in flight then wait, whatever the broker (PERFORMANCE.md has the traces). Restarting
 * the broker after the floods removes most of it (BenchmarkMain); this wait covers what is left,
 * and any other left-over work, without knowing what it is: kernel threads show as system time in
 * {@code /proc/stat}.
 */
final class MachineQuiet {

    /** Busy clock ticks (10 ms) per second of the whole machine taken as quiet: 8% of one core. */
    private static final long QUIET_TICKS_PER_SECOND = 8;

    private MachineQuiet() {
    }

    /**
     * Blocks until the machine's busy time has stayed under 8% of one core for two seconds in a
     * row, or {@code maxSeconds} have passed.
     *
     * @return the seconds waited, or -1 when the limit was reached first (or {@code /proc/stat}
     *         is not readable: not Linux)
     */
    static int await(int maxSeconds) throws InterruptedException {
        long last = busyTicks();
        int quietSeconds = 0;
        for (int waited = 1; waited <= maxSeconds && last >= 0; waited++) {
            TimeUnit.SECONDS.sleep(1);
            long now = busyTicks();
            quietSeconds = now - last <= QUIET_TICKS_PER_SECOND ? quietSeconds + 1 : 0;
            if (quietSeconds == 2) {
                return waited;
            }
            last = now;
        }
        return -1;
    }

    /** user + nice + system + irq + softirq + steal of all CPUs, in clock ticks; -1 when unreadable. */
    static long busyTicks() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
                            + Long.parseLong(f[6]) + Long.parseLong(f[7]) + Long.parseLong(f[8]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no machine-wide figure, the caller does not wait
        }
        return -1;
    }
}
