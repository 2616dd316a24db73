package io.meridianmq.bench;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark: every scenario against every broker, in interleaved rounds, each broker freshly
 * started per round with the same settings and warmed up (a short run of every scenario, thrown
 * away) before it is measured.
 * Prints a table of medians with ratios to Mosquitto and to the best peer, and writes it to
 * {@code target/benchmark.md}.
 *
 * <p>Options (system properties): {@code bench.brokers} (meridian,mosquitto,moquette,hivemq,relay),
 * {@code bench.rounds} (3), {@code bench.idle} (15000 idle connections), {@code bench.heap}
 * (1g for every JVM broker), {@code bench.scenarios} (all).
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> brokers = List.of(System.getProperty("bench.brokers", "meridian,mosquitto,moquette,hivemq,relay")
                .split(","));
        int rounds = Integer.getInteger("bench.rounds", 3);
        int idle = Integer.getInteger("bench.idle", 15_000);
        String heap = System.getProperty("bench.heap", "1g");
        List<String> sources = new ArrayList<>();
        for (int i = 2; i <= 1 + Math.max(1, idle / 25_000 + 1); i++) {
            sources.add("127.0.0." + i);
        }
        Scenarios.Scale scale = Scenarios.Scale.full(idle, sources);
        Map<String, Map<String, List<Result>>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            List<String> order = new ArrayList<>(brokers);
            java.util.Collections.rotate(order, round); // every broker runs first, last, in between
            for (String b : order) {
                try (BrokerUnderTest broker = create(b, heap)) {
                    broker.start();
                    Map<String, Result> r = runAll(broker, scale, Scenarios.Scale.warmUp());
                    System.out.printf(Locale.ROOT, "round %d %s: %s%n", round, broker.name, r);
                    r.forEach((scenario, result) -> results.computeIfAbsent(broker.name,
                            k -> new LinkedHashMap<>()).computeIfAbsent(scenario, k -> new ArrayList<>()).add(result));
                }
            }
        }
        String table = Report.table(results, machine(), rounds, heap, idle);
        System.out.println(table);
        Path out = Paths.get("target", "benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    static BrokerUnderTest create(String name, String heap) throws Exception {
        return switch (name.trim()) {
            case "meridian" -> new BrokerUnderTest.Meridian(Paths.get(required("meridian.distribution")), heap);
            case "mosquitto" -> new BrokerUnderTest.Mosquitto();
            case "moquette" -> new BrokerUnderTest.JvmPeer("Moquette", Paths.get(required("bench.moquette.home")),
                    "io.meridianmq.bench.moquette.MoquetteLauncher", heap);
            case "hivemq" -> new BrokerUnderTest.JvmPeer("HiveMQ CE", Paths.get(required("bench.hivemq.home")),
                    "io.meridianmq.bench.hivemq.HiveMqLauncher", heap);
            case "relay" -> new BrokerUnderTest.RelayProcess(heap);
            default -> throw new IllegalArgumentException("unknown broker '" + name
                    + "': use meridian, mosquitto, moquette, hivemq, relay");
        };
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            throw new IllegalStateException("system property " + property + " is not set (run through Maven, see "
                    + "docs/PERFORMANCE.md)");
        }
        return v;
    }

    /** Every scenario, in order, against one started broker. */
    static Map<String, Result> runAll(BrokerUnderTest broker, Scenarios.Scale scale) throws Exception {
        return runAll(broker, scale, null);
    }

    /**
     * Every scenario, in order, against one started broker; with {@code warmUp}, a short run of
     * the traffic scenarios after the idle one (which measures memory, and must come before
     * anything grows the heap) is thrown away before the measured ones.
     */
    static Map<String, Result> runAll(BrokerUnderTest broker, Scenarios.Scale scale, Scenarios.Scale warmUp)
            throws Exception {
        Map<String, Result> r = new LinkedHashMap<>();
        String only = System.getProperty("bench.scenarios", "");
        try (LoadGenerator load = new LoadGenerator(Runtime.getRuntime().availableProcessors())) {
            Scenarios s = new Scenarios(load, broker.address(), scale);
            cpuTicks = broker::cpuTicks;
            beforeEach = done -> {
                try {
                    if (load.answers(broker.address(), 10)) {
                        broker.collect(); // a scenario does not pay for the garbage of the one before
                    }
                    System.gc(); // nor for the load generator's (a collection of its own shows as latency)
                    broker.settle();
                    if (!load.answers(broker.address(), 10)) {
                        // a broker that broke down (HiveMQ CE runs out of heap under the QoS 0 flood) is
                        // charged for the scenario that broke it, and restarted for the next one
                        String last = done.isEmpty() ? "start" : new ArrayList<>(done.keySet()).get(done.size() - 1);
                        Result broke = done.get(last);
                        if (broke != null) {
                            done.put(last, new Result(broke.value(), broke.unit(), broke.higherIsBetter(), broke.lost(),
                                    broke.detail()
                                    + "; the broker stopped answering afterwards and was restarted"));
                        }
                        System.out.printf(Locale.ROOT, "%s stopped answering after %s; restarting it%n", broker.name,
                                last);
                        broker.restart();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IllegalStateException(broker.name + " could not be restarted", e);
                }
            };
            // idle first: the resident size per connection is measured before anything else grew the heap
            run(r, only, "idle " + scale.idleConnections(), () -> s.idle(broker::nonHeapResidentBytes, broker::liveHeapBytes));
            if (warmUp != null) {
                // thrown away: the JIT compilers settle here, in the broker and in the load generator
                Map<String, Result> discarded = new LinkedHashMap<>();
                traffic(discarded, only, new Scenarios(load, broker.address(), warmUp), warmUp);
                System.out.printf(Locale.ROOT, "%s warm-up (not counted): %s%n", broker.name, discarded);
            }
            traffic(r, only, s, scale);
        }
        return r;
    }

    private static void traffic(Map<String, Result> r, String only, Scenarios s, Scenarios.Scale scale) {
        run(r, only, "fan-in QoS 0", () -> s.fanIn(0));
        run(r, only, "fan-in QoS 1", () -> s.fanIn(1));
        run(r, only, "fan-out 1:" + scale.fanOutSubscribers(), s::fanOut);
        run(r, only, "pairs " + scale.pairs(), s::pairs);
        for (int rate : scale.latencyRates()) {
            run(r, only, "latency QoS 1 @" + rate + "/s", () -> s.latency(rate));
        }
    }

    /**
     * Run before each scenario with the results so far: a JVM broker's heap is collected, the
     * broker settles, and is restarted if it no longer answers.
     */
    private static java.util.function.Consumer<Map<String, Result>> beforeEach;
    /** The CPU time the broker under test has used so far, in clock ticks (for each scenario's detail). */
    private static java.util.function.LongSupplier cpuTicks;

    interface Scenario {
        Result run() throws Exception;
    }

    private static void run(Map<String, Result> results, String only, String name, Scenario scenario) {
        if (!only.isEmpty() && !name.startsWith(only)) {
            return;
        }
        if (beforeEach != null) {
            beforeEach.accept(results);
        }
        try {
            long ticks = cpuTicks == null ? -1 : cpuTicks.getAsLong();
            Result r = scenario.run();
            long used = cpuTicks == null ? -1 : cpuTicks.getAsLong() - ticks;
            if (ticks >= 0 && used >= 0) { // clock ticks of 10 ms; the broker's own CPU, not the load generator's
                r = new Result(r.value(), r.unit(), r.higherIsBetter(), r.lost(),
                        r.detail() + String.format(Locale.ROOT, "; broker CPU %.2f s", used / 100.0));
            }
            results.put(name, r);
        } catch (Exception e) {
            results.put(name, Result.failed(e.toString()));
        }
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Paths.get("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (Exception e) {
            // not Linux: the CPU stays unknown
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "?";
        }
        return String.format(Locale.ROOT, "%d cores (%s), %d MB max heap of the load generator, Java %s, %s",
                Runtime.getRuntime().availableProcessors(), cpu, Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"), host);
    }
}
