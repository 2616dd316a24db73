package io.meridianmq.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The soak's report: one HTML page with a line chart (inline SVG, nothing fetched) per series
 * over time (memory, p99 latency, throughput, losses), the broker kills and reconnect storms
 * marked on each, and the totals beside them.
 */
final class SoakReport {

    /** One second of the run. {@code NaN} where nothing could be measured (the broker was down). */
    record Sample(double second, double heapMiB, double rssMiB, double p99Millis, double deliveredPerSecond) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final List<double[]> kills = new ArrayList<>();
    private final List<double[]> storms = new ArrayList<>();
    private final List<String> totals = new ArrayList<>();
    private double[] losses = new double[0];
    private double[] duplicates = new double[0];

    synchronized void add(Sample s) {
        samples.add(s);
    }

    synchronized void kill(double second) {
        kills.add(new double[] {second});
    }

    synchronized void storm(double second) {
        storms.add(new double[] {second});
    }

    /** Acknowledged QoS 1/2 messages never delivered, and QoS 2 ones delivered twice, by the second they were sent. */
    synchronized void losses(double[] lostBySecond, double[] duplicatesBySecond) {
        this.losses = lostBySecond;
        this.duplicates = duplicatesBySecond;
    }

    synchronized void total(String line) {
        totals.add(line);
    }

    synchronized void write(Path file, String title) throws IOException {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title><style>body{font-family:sans-serif;margin:2em;color:#222}"
                        + "svg{border:1px solid #ccc;margin:0.5em 0 1.5em}li{margin:0.2em 0}"
                        + ".kill{stroke:#c00}.storm{stroke:#888;stroke-dasharray:3,3}</style></head><body>")
                .append("<h1>").append(title).append("</h1><ul>");
        totals.forEach(t -> html.append("<li>").append(escape(t)).append("</li>"));
        html.append("</ul><p>Red lines: kill -9 and restart of the broker. Dashed grey: reconnect storm.</p>");
        chart(html, "Broker memory (MiB): heap in use (blue), resident set (green)",
                series(Sample::heapMiB), series(Sample::rssMiB));
        chart(html, "p99 latency of delivered messages (ms)", series(Sample::p99Millis), null);
        chart(html, "Messages delivered per second", series(Sample::deliveredPerSecond), null);
        chart(html, "Acknowledged QoS 1/2 messages lost (blue) and QoS 2 delivered twice (green), by second sent",
                indexed(losses), indexed(duplicates));
        html.append("</body></html>\n");
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    private double[][] series(java.util.function.ToDoubleFunction<Sample> value) {
        double[][] points = new double[samples.size()][];
        for (int i = 0; i < points.length; i++) {
            points[i] = new double[] {samples.get(i).second(), value.applyAsDouble(samples.get(i))};
        }
        return points;
    }

    private static double[][] indexed(double[] values) {
        double[][] points = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            points[i] = new double[] {i, values[i]};
        }
        return points;
    }

    private void chart(StringBuilder html, String title, double[][] first, double[][] second) {
        int w = 900;
        int h = 220;
        int left = 60;
        int bottom = 30;
        double maxX = 1;
        double maxY = 1;
        List<double[][]> all = second == null ? List.<double[][]>of(first) : List.<double[][]>of(first, second);
        for (double[][] s : all) {
            for (double[] p : s) {
                maxX = Math.max(maxX, p[0]);
                if (!Double.isNaN(p[1])) {
                    maxY = Math.max(maxY, p[1]);
                }
            }
        }
        html.append("<h3>").append(escape(title)).append("</h3>");
        html.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">", w, h, w, h));
        double fx = (w - left - 10) / maxX;
        double fy = (h - bottom - 10) / maxY;
        for (double[] k : kills) {
            double x = left + k[0] * fx;
            html.append(String.format(Locale.ROOT, "<line class=\"kill\" x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\"/>",
                    x, x, h - bottom));
        }
        for (double[] s : storms) {
            double x = left + s[0] * fx;
            html.append(String.format(Locale.ROOT, "<line class=\"storm\" x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\"/>",
                    x, x, h - bottom));
        }
        polyline(html, first, left, h - bottom, fx, fy, "#1f5fbf");
        if (second != null) {
            polyline(html, second, left, h - bottom, fx, fy, "#2a9d4b");
        }
        html.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>",
                left, h - bottom, w - 10, h - bottom));
        html.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>",
                left, left, h - bottom));
        html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                left - 4, number(maxY)));
        html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>",
                left - 4, h - bottom));
        html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s s</text>",
                w - 10, h - 8, number(maxX)));
        html.append("</svg>");
    }

    /** One line per run of measured points: a gap where the broker was down. */
    private static void polyline(StringBuilder html, double[][] points, int left, int base, double fx, double fy,
            String colour) {
        StringBuilder run = new StringBuilder();
        for (double[] p : points) {
            if (Double.isNaN(p[1])) {
                flush(html, run, colour);
                continue;
            }
            run.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + p[0] * fx, base - p[1] * fy));
        }
        flush(html, run, colour);
    }

    private static void flush(StringBuilder html, StringBuilder run, String colour) {
        if (run.length() > 0) {
            html.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\" points=\"")
                    .append(run.toString().trim()).append("\"/>");
            run.setLength(0);
        }
    }

    private static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
