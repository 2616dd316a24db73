package io.meridianmq.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The results as a Markdown table: medians, ratios to Mosquitto and to the best peer, loss. */
final class Report {

    private Report() {
    }

    static Result median(List<Result> rs) {
        List<Result> ok = new ArrayList<>(rs.stream().filter(Result::ok).toList());
        if (ok.isEmpty()) {
            return rs.get(0);
        }
        ok.sort(Comparator.comparingDouble(Result::value));
        return ok.get(ok.size() / 2);
    }

    static String table(Map<String, Map<String, List<Result>>> results, String machine, int rounds, String heap,
            int idle) {
        Set<String> scenarios = new LinkedHashSet<>();
        results.values().forEach(m -> scenarios.addAll(m.keySet()));
        List<String> brokers = new ArrayList<>(results.keySet());
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Machine: %s. Median of %d rounds, every broker "
                + "process warmed up first (a short run of every scenario, not counted); JVM brokers with -Xms=-Xmx=%s; "
                + "no persistence; queue limit %d.%n%n", machine, rounds, heap,
                BrokerUnderTest.QUEUE_LIMIT));
        out.append("| scenario |");
        brokers.forEach(b -> out.append(' ').append(b).append(" |"));
        out.append(" Meridian / Mosquitto | Meridian / best peer |\n|---|");
        brokers.forEach(b -> out.append("---|"));
        out.append("---|---|\n");
        for (String s : scenarios) {
            out.append("| ").append(s).append(" |");
            Result meridian = null;
            Result mosquitto = null;
            Result bestPeer = null;
            for (String b : brokers) {
                List<Result> rs = results.get(b).get(s);
                if (rs == null) {
                    out.append(" - |");
                    continue;
                }
                Result m = median(rs);
                long lost = rs.stream().mapToLong(Result::lost).max().orElse(0);
                out.append(' ').append(format(m)).append(lost > 0 ? " (lost " + lost + ")" : "").append(" |");
                if (b.equals("Meridian")) {
                    meridian = m;
                } else if (b.equals("Mosquitto")) {
                    mosquitto = m;
                }
                if (!b.equals("Meridian") && !b.startsWith("relay") && m.ok()
                        && (bestPeer == null || better(m, bestPeer))) {
                    bestPeer = m;
                }
            }
            out.append(' ').append(ratio(meridian, mosquitto)).append(" | ").append(ratio(meridian, bestPeer))
                    .append(" |\n");
        }
        out.append(cpuTable(results, scenarios, brokers));
        out.append("\nDetails (median round):\n\n");
        for (String b : brokers) {
            for (Map.Entry<String, List<Result>> e : results.get(b).entrySet()) {
                out.append("- ").append(b).append(", ").append(e.getKey()).append(": ")
                        .append(median(e.getValue()).detail()).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * What each delivered message (or connected client) cost the broker in CPU: seconds per
     * million messages, the same figure as milliseconds per thousand connections; the median of
     * the rounds; the steadier figure on a shared machine. The ratio is each peer's cost over
     * Meridian's (above 1: Meridian is cheaper).
     */
    static String cpuTable(Map<String, Map<String, List<Result>>> results, Set<String> scenarios, List<String> brokers) {
        StringBuilder out = new StringBuilder("\nBroker CPU per million delivered messages, in seconds (storms: per "
                + "million connections, connect and disconnect), median of the rounds; in brackets the ratio of "
                + "the broker's cost to Meridian's:\n\n| scenario |");
        brokers.forEach(b -> out.append(' ').append(b).append(" |"));
        out.append("\n|---|");
        brokers.forEach(b -> out.append("---|"));
        out.append('\n');
        for (String s : scenarios) {
            double meridian = cpuMedian(results.getOrDefault("Meridian", Map.of()).get(s));
            StringBuilder row = new StringBuilder("| ").append(s).append(" |");
            boolean any = false;
            for (String b : brokers) {
                double c = cpuMedian(results.get(b).get(s));
                any |= !Double.isNaN(c);
                row.append(Double.isNaN(c) ? " - |" : String.format(Locale.ROOT, " %.2f%s |", c,
                        b.equals("Meridian") || Double.isNaN(meridian) || meridian == 0 ? ""
                                : String.format(Locale.ROOT, " (%.2f×)", c / meridian)));
            }
            if (any) {
                out.append(row).append('\n');
            }
        }
        return out.toString();
    }

    private static double cpuMedian(List<Result> rs) {
        if (rs == null) {
            return Double.NaN;
        }
        double[] v = rs.stream().mapToDouble(Result::cpuPerMillion).filter(d -> !Double.isNaN(d)).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    private static boolean better(Result a, Result b) {
        return a.higherIsBetter() ? a.value() > b.value() : a.value() < b.value();
    }

    private static String format(Result r) {
        if (!r.ok()) {
            return "failed";
        }
        return r.value() >= 100 ? String.format(Locale.ROOT, "%,.0f %s", r.value(), r.unit())
                : String.format(Locale.ROOT, "%.2f %s", r.value(), r.unit());
    }

    /** How many times better Meridian is (above 1: better, whichever direction counts). */
    private static String ratio(Result meridian, Result other) {
        if (meridian == null || other == null || !meridian.ok() || !other.ok() || other.value() == 0
                || meridian.value() == 0) {
            return "-";
        }
        double r = meridian.higherIsBetter() ? meridian.value() / other.value() : other.value() / meridian.value();
        return String.format(Locale.ROOT, "%.2f×", r);
    }
}
