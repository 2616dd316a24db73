package io.meridianmq.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM broker's live objects by class ({@code jcmd GC.class_histogram}, which collects first),
 * and what a number of connections added between two of them: the "what does one idle
 * connection hold" table of docs/PERFORMANCE.md.
 */
final class HeapHistogram {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** Per class name: {instances, bytes}. */
    private final Map<String, long[]> classes;

    private HeapHistogram(Map<String, long[]> classes) {
        this.classes = classes;
    }

    /** Reads the output of {@code jcmd PID GC.class_histogram}. */
    static HeapHistogram parse(String jcmdOutput) {
        Map<String, long[]> classes = new HashMap<>();
        for (String line : jcmdOutput.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                // a class loaded by several bundles shows once per loader: add them up
                long[] c = classes.computeIfAbsent(m.group(3), k -> new long[2]);
                c[0] += Long.parseLong(m.group(1));
                c[1] += Long.parseLong(m.group(2));
            }
        }
        return new HeapHistogram(classes);
    }

    /**
     * The classes that grew most from {@code before} to this one, per connection: the top
     * {@code rows} by bytes, as "bytes per connection, instances per connection, class" lines,
     * and the total.
     */
    String growthPerConnection(HeapHistogram before, int connections, int rows) {
        List<Object[]> grown = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> e : classes.entrySet()) {
            long[] was = before.classes.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - was[1];
            long instances = e.getValue()[0] - was[0];
            total += bytes;
            grown.add(new Object[] {e.getKey(), bytes, instances});
        }
        grown.sort((a, b) -> Long.compare((long) b[1], (long) a[1]));
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "live heap per connection (%d connections): %.0f bytes%n", connections, total / (double) connections));
        for (Object[] g : grown.subList(0, Math.min(rows, grown.size()))) {
            out.append(String.format(Locale.ROOT, "%8.1f B %6.2f x %s%n", (long) g[1] / (double) connections,
                    (long) g[2] / (double) connections, g[0]));
        }
        return out.toString();
    }
}
