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

import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * The benchmark: every scenario against every broker, in interleaved rounds, each broker freshly
 * started per round with the same settings and warmed up (a short run of every scenario, thrown
 * away) before it is measured.
 * Prints a table of medians with ratios to Mosquitto and to the best peer, and writes it to
 * {@code target/benchmark.md}.
 *
 * <p>Options (system properties): {@code bench.brokers}
 * (meridian,mosquitto,moquette,hivemq,relay,meridian-durable,mosquitto-persistent; the last two
 * run only the durable scenarios),
 * {@code bench.rounds} (3), {@code bench.idle} (15000 idle connections), {@code bench.heap}
 * (1g for every JVM broker), {@code bench.scenarios} (all), {@code bench.meridian.io_threads} (0: one
 * per core).
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> brokers = List.of(System.getProperty("bench.brokers",
                "meridian,mosquitto,moquette,hivemq,relay,meridian-durable,mosquitto-persistent").split(","));
        int rounds = Integer.getInteger("bench.rounds", 3);
        int idle = Integer.getInteger("bench.idle", 15_000);
        String heap = System.getProperty("bench.heap", "1g");
        List<String> sources = new ArrayList<>();
        for (int i = 2; i <= 2 + idle / 10_000; i++) { // closed connections leave their ports in TIME_WAIT: spread them
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
                    report("round %d %s: %s", round, broker.name, r);
                    r.forEach((scenario, result) -> results.computeIfAbsent(broker.name,
                            k -> new LinkedHashMap<>()).computeIfAbsent(scenario, k -> new ArrayList<>()).add(result));
                }
            }
        }
        String table = Report.table(results, machine(), rounds, heap, idle);
        report("%s", table);
        Path out = Paths.get("target", "benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    static BrokerUnderTest create(String name, String heap) throws Exception {
        return switch (name.trim()) {
            case "meridian" -> new MeridianBroker(Paths.get(required("meridian.distribution")), heap);
            case "mosquitto" -> new MosquittoBroker();
            case "meridian-durable" -> new MeridianBroker(Paths.get(required("meridian.distribution")), heap,
                    true);
            case "mosquitto-persistent" -> new MosquittoBroker(true);
            case "moquette" -> new BrokerUnderTest.JvmPeer("Moquette", Paths.get(required("bench.moquette.home")),
                    "io.meridianmq.bench.moquette.MoquetteLauncher", heap, false); // Moquette 0.17: MQTT 3.1.1 only
            case "hivemq" -> new BrokerUnderTest.JvmPeer("HiveMQ CE", Paths.get(required("bench.hivemq.home")),
                    "io.meridianmq.bench.hivemq.HiveMqLauncher", heap, true);
            case "relay" -> new BrokerUnderTest.RelayProcess(heap);
            default -> throw new IllegalArgumentException("unknown broker '" + name
                    + "': use meridian, mosquitto, moquette, hivemq, relay, meridian-durable, mosquitto-persistent");
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
        try (LoadGenerator load = new LoadGenerator(Runtime.getRuntime().availableProcessors())) {
            ScenarioRunner runner = new ScenarioRunner(broker, load, System.getProperty("bench.scenarios", ""));
            Scenarios s = new Scenarios(load, broker.address(), scale);
            runner.run(r, "idle " + scale.idleConnections(),
                    () -> new IdleMemory(load, broker.address(), scale)
                            .measure(broker::nonHeapResidentBytes, broker::liveHeapBytes, broker::histogram));
            if (warmUp == null) {
                runner.storms(r, s, scale);
                runner.floods(r, s, scale);
                runner.held(r, s, scale);
                runner.tls(r, scale);
                runner.durable(r, s, scale);
                runner.latency(r, s, scale);
                return r;
            }
            // thrown away: the JIT compilers settle here, in the broker and in the load generator
            Map<String, Result> discarded = new LinkedHashMap<>();
            Scenarios w = new Scenarios(load, broker.address(), warmUp);
            runner.storms(discarded, w, warmUp);
            runner.floods(discarded, w, warmUp);
            runner.held(discarded, w, warmUp);
            runner.tls(discarded, warmUp);
            runner.durable(discarded, w, warmUp);
            runner.latency(discarded, w, warmUp);
            report("%s warm-up (not counted): %s", broker.name, discarded);
            runner.storms(r, s, scale);
            runner.floods(r, s, scale);
            runner.held(r, s, scale);
            runner.tls(r, scale);
            runner.durable(r, s, scale);
            if (broker.durableOnly()) {
                return r; // no latency scenarios for the store's variants: no restart for them
            }
            // The floods leave every JVM with a young generation sized for a million messages a
            // second, all of it resident and written; on the machine these figures come from, the
            // kernel's memory monitor then takes a core in bursts of 25-45 ms every 0.5 s (see
            // MachineQuiet), which measured the host instead of the broker: p99 of the relay
            // 28-68 ms after the floods against 3.5-4.4 ms without them. So the latency scenarios
            // get a fresh broker process of the same kind, warmed up at the latency load only.
            broker.restart();
            discarded.clear();
            Scenarios.Scale latencyWarmUp = scale.latencyWarmUp();
            runner.latency(discarded, new Scenarios(load, broker.address(), latencyWarmUp), latencyWarmUp);
            report("%s latency warm-up after the restart (not counted): %s", broker.name, discarded);
            runner.latency(r, s, scale);
        }
        return r;
    }

    /**
     * The benchmark's console report (per-round lines and the table; the table also goes to
     * {@code target/benchmark.md}): this is a command-line tool, its output is what it is for.
     */
    static void report(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    interface Scenario {
        Result run() throws Exception;
    }

    /** Runs scenarios against one broker: each on a clean, settled, answering broker, with its CPU time noted. */
    static final class ScenarioRunner {
        /** How long a latency scenario waits for a quiet machine ({@link MachineQuiet}) before it runs anyway. */
        private static final int QUIET_LIMIT_SECONDS = 90;
        private final BrokerUnderTest broker;
        private final LoadGenerator load;
        /** Scenario name prefixes to run alone ({@code bench.scenarios}, comma-separated), or empty for all. */
        private final List<String> only;

        ScenarioRunner(BrokerUnderTest broker, LoadGenerator load, String only) {
            this.broker = broker;
            this.load = load;
            this.only = java.util.Arrays.stream(only.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList();
        }

        /** The connection storms: each way of logging in a device fleet might use. */
        private static final List<LoadClient.Login> STORMS = List.of(
                LoadClient.Login.ANONYMOUS_311,
                new LoadClient.Login(MqttVersion.MQTT_3_1_1, false, null, null),
                new LoadClient.Login(MqttVersion.MQTT_5, true, null, null),
                new LoadClient.Login(MqttVersion.MQTT_5, false, null, null),
                new LoadClient.Login(MqttVersion.MQTT_3_1_1, true, BrokerUnderTest.USER, BrokerUnderTest.PASSWORD),
                new LoadClient.Login(MqttVersion.MQTT_5, false, BrokerUnderTest.USER, BrokerUnderTest.PASSWORD));

        /** Whether {@code broker} takes part in the storm of clients logging in as {@code login}. */
        static boolean storms(BrokerUnderTest broker, LoadClient.Login login) {
            return (login.user() == null || broker.checksPasswords())
                    && (login.version() != MqttVersion.MQTT_5 || broker.speaksMqtt5());
        }

        /** How many storm scenarios {@code broker} runs (the one all at once included). */
        static int stormCount(BrokerUnderTest broker) {
            return 1 + (int) STORMS.stream().filter(l -> storms(broker, l)).count();
        }

        void storms(Map<String, Result> r, Scenarios s, Scenarios.Scale scale) {
            for (LoadClient.Login login : STORMS) {
                if (storms(broker, login)) {
                    run(r, "storm " + scale.stormConnections() + " (" + login.describe() + ")",
                            () -> s.storm(login, Scenarios.STORM_WINDOW));
                }
            }
            run(r, "storm " + scale.stormConnections() + " all at once", () -> s.storm(LoadClient.Login.ANONYMOUS_311,
                    scale.stormConnections()));
        }

        void floods(Map<String, Result> r, Scenarios s, Scenarios.Scale scale) {
            run(r, "fan-in QoS 0", () -> s.fanIn(0));
            run(r, "fan-in QoS 1", () -> s.fanIn(1));
            run(r, "fan-out 1:" + scale.fanOutSubscribers(), s::fanOut);
            run(r, "pairs " + scale.pairs(), s::pairs);
            run(r, "pairs " + scale.pairs() + " beside " + Scenarios.STALLED + " stalled", s::pairsBesideStalled);
        }

        /**
         * Fan-in QoS 1 and a connection storm over TLS 1.3, without and with a client certificate,
         * for the brokers started with TLS listeners.
         */
        void tls(Map<String, Result> r, Scenarios.Scale scale) {
            if (!broker.speaksTls()) {
                return;
            }
            for (boolean certificate : new boolean[] {false, true}) {
                String kind = certificate ? "TLS 1.3 + client certificate" : "TLS 1.3";
                Scenarios t;
                try {
                    t = new Scenarios(load.withTls(BenchCertificates.client(certificate)),
                            broker.tlsAddress(certificate), scale);
                } catch (javax.net.ssl.SSLException e) {
                    throw new IllegalStateException("the load generator's TLS context: " + e, e);
                }
                run(r, kind + " fan-in QoS 1", () -> t.fanIn(1));
                run(r, kind + " storm " + scale.stormConnections(),
                        () -> t.storm(LoadClient.Login.ANONYMOUS_311, Scenarios.STORM_WINDOW));
            }
        }

        /**
         * Persistent sessions: fan-in QoS 1 into one, and {@code replayMessages} queued for one
         * offline and replayed at its reconnect (in memory on the plain brokers, in the store on
         * the durable variants).
         */
        void durable(Map<String, Result> r, Scenarios s, Scenarios.Scale scale) {
            if (!broker.keepsSessions()) {
                return;
            }
            run(r, "durable fan-in QoS 1 (persistent subscriber)", s::fanInPersistent);
            run(r, "durable replay of " + scale.replayMessages() + " queued", s::replay);
        }

        /** The highest rate each shape holds without loss, p99 under 10 ms: the headline figures. */
        void held(Map<String, Result> r, Scenarios s, Scenarios.Scale scale) {
            for (int qos = 0; qos <= 1; qos++) {
                int q = qos;
                run(r, "held fan-in QoS " + q, () -> s.held(RateSearch.Shape.FAN_IN, q));
                run(r, "held fan-out 1:" + scale.fanOutSubscribers() + " QoS " + q, () -> s.held(RateSearch.Shape.FAN_OUT, q));
                run(r, "held pairs " + scale.pairs() + " QoS " + q, () -> s.held(RateSearch.Shape.PAIRS, q));
            }
        }

        void latency(Map<String, Result> r, Scenarios s, Scenarios.Scale scale) {
            for (int rate : scale.latencyRates()) {
                for (int qos : new int[] {1, 0, 2}) {
                    run(r, "latency QoS " + qos + " @" + rate + "/s", () -> s.latency(rate, qos));
                }
            }
            run(r, "latency QoS 1 @1000/s during a storm of " + scale.stormConnections(),
                    () -> s.latencyDuringStorm(1_000));
        }

        void run(Map<String, Result> results, String name, Scenario scenario) {
            if (!only.isEmpty() && only.stream().noneMatch(name::startsWith)) {
                return;
            }
            if (broker.durableOnly() && !name.startsWith("durable")) {
                return;
            }
            prepare(results);
            try {
                String quiet = "";
                if (name.startsWith("latency")) {
                    int waited = MachineQuiet.await(QUIET_LIMIT_SECONDS);
                    quiet = waited >= 0 ? "; machine quiet after " + waited + " s"
                            : "; machine not seen quiet (" + QUIET_LIMIT_SECONDS + " s limit, or no /proc/stat)";
                }
                long ticks = broker.cpuTicks();
                Result r = scenario.run();
                long used = broker.cpuTicks() - ticks;
                boolean known = ticks >= 0 && used >= 0; // clock ticks of 10 ms; the broker's own CPU, not the load generator's
                String cpu = known ? String.format(Locale.ROOT, "; broker CPU %.2f s", used / 100.0) : "";
                results.put(name, r.withCpu(known ? used / 100.0 : Double.NaN, cpu + quiet));
            } catch (Exception e) {
                results.put(name, Result.failed(e.toString()));
            }
        }

        /**
         * Before each scenario: a broker that broke down (HiveMQ CE runs out of heap under the QoS 0
         * flood) is charged for the scenario that broke it and restarted; then the JVM heaps are
         * collected (no scenario pays for the garbage of the one before, the load generator's
         * included: its collections show as latency) and the broker settles.
         */
        private void prepare(Map<String, Result> done) {
            try {
                if (!load.answers(broker.address(), 10)) {
                    String last = done.isEmpty() ? "start" : new ArrayList<>(done.keySet()).get(done.size() - 1);
                    Result broke = done.get(last);
                    if (broke != null) {
                        done.put(last, broke.withCpu(broke.cpuSeconds(),
                                "; the broker stopped answering afterwards and was restarted"));
                    }
                    report("%s stopped answering after %s; restarting it", broker.name, last);
                    broker.restart();
                }
                broker.collect();
                System.gc();
                broker.settle();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(broker.name + " could not be restarted", e);
            }
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
