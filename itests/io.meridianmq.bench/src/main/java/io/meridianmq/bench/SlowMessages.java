package io.meridianmq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * For finding what causes a latency tail: with {@code -Dbench.trace=FILE}, every latency-run
 * message slower than 3 ms is written to FILE as "wall-clock millis, offered rate, latency in
 * microseconds", so its time can be lined up with a broker's GC or safepoint log
 * ({@code -Xlog:safepoint:file=...:time}). Without the property it records nothing.
 */
final class SlowMessages {

    private static final long SLOW_NANOS = 3_000_000;

    private final Path file;
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();

    private SlowMessages(Path file) {
        this.file = file;
    }

    /** The log the {@code bench.trace} property asks for, or {@code null} for none. */
    static SlowMessages fromSystemProperty() {
        String f = System.getProperty("bench.trace");
        return f == null || f.isBlank() ? null : new SlowMessages(Path.of(f));
    }

    /** Called on the receiving event loop for every message; cheap when the message was fast. */
    void record(int rate, long latencyNanos) {
        if (latencyNanos > SLOW_NANOS) {
            lines.add(System.currentTimeMillis() + " " + rate + " " + latencyNanos / 1000);
        }
    }

    /** Appends what was recorded to the file. */
    void flush() throws IOException {
        Files.write(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        lines.clear();
    }
}
