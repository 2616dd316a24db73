package io.meridianmq.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Test;

/**
 * The cost of durability (issue 6), measured, not asserted: QoS 1 throughput to a persistent
 * session on Meridian with the durable (MVStore) store, Meridian in memory, and Mosquitto with
 * {@code persistence true}, same load, rounds interleaved; then Meridian's restart time with a
 * large store. Not part of the test suite (its name does not end in Test); run with
 * <pre>mvn -B -ntp -pl itests/io.meridianmq.e2e.tests verify -Dtest=PersistenceBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Sizes can be changed with {@code -Dbench.messages}, {@code -Dbench.rounds},
 * {@code -Dbench.retained} and {@code -Dbench.queued}; {@code -Dbench.restart=false} skips the restart.
 */
public class PersistenceBenchmark {

    private static final int MESSAGES = Integer.getInteger("bench.messages", 100_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int RETAINED = Integer.getInteger("bench.retained", 1_000_000);
    private static final int QUEUED = Integer.getInteger("bench.queued", 100_000);
    private static final boolean RESTART = Boolean.parseBoolean(System.getProperty("bench.restart", "true"));
    private static final int PUBLISHERS = 4;
    private static final int WINDOW = 100; // QoS 1 messages in flight per publisher
    private static final byte[] PAYLOAD = new byte[64];
    private static final String LIMITS = "max_queued_messages = 10000000\nmax_queued_bytes = 0\n";

    @Test
    public void qos1ToAPersistentSessionAndRestartTime() throws Exception {
        BrokerProcess durable = new BrokerProcess().withEtcFile("io.meridianmq.broker.cfg", LIMITS);
        BrokerProcess memory = new BrokerProcess().withEtcFile("io.meridianmq.broker.cfg", LIMITS)
                .withEtcFile("io.meridianmq.storage.cfg", "persistence = false\n");
        Mosquitto mosquitto = new Mosquitto();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try {
            durable.start();
            memory.start();
            mosquitto.start();
            Map<String, String> uris = new LinkedHashMap<>();
            uris.put("Meridian, MVStore store (sync always)", durable.uri());
            uris.put("Meridian, in memory", memory.uri());
            uris.put("Mosquitto " + mosquitto.version() + ", persistence true", mosquitto.uri());
            for (String uri : uris.values()) {
                run(uri, MESSAGES / 5); // warm-up, discarded
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (Map.Entry<String, String> e : uris.entrySet()) {
                    rates.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(run(e.getValue(), MESSAGES));
                }
            }
        } finally {
            memory.stop();
            mosquitto.stop();
        }
        StringBuilder report = new StringBuilder("\nQoS 1, " + PUBLISHERS + " publishers (" + WINDOW
                + " in flight each) -> 1 persistent subscriber, " + MESSAGES + " x " + PAYLOAD.length
                + " B per round, " + ROUNDS + " rounds interleaved, msg/s end to end (median; all rounds):\n");
        double memoryRate = median(rates.get("Meridian, in memory"));
        rates.forEach((name, r) -> report.append(String.format("  %-45s %,10.0f  (%.2f of in-memory)  %s%n", name,
                median(r), median(r) / memoryRate, r.stream().map(x -> String.format("%,.0f", x)).toList())));
        try {
            if (RESTART) {
                report.append(restartTime(durable));
            }
        } finally {
            durable.stop();
        }
        java.util.logging.Logger.getLogger(PersistenceBenchmark.class.getName()).info(report.toString());
        Files.writeString(Path.of("target/persistence-benchmark.txt"), report);
    }

    /** Publishes {@code messages} QoS 1 messages to a persistent subscriber; returns msg/s end to end. */
    private static double run(String uri, int messages) throws Exception {
        String id = "bench-" + System.nanoTime();
        CountDownLatch all = new CountDownLatch(messages);
        MqttAsyncClient subscriber = new MqttAsyncClient(uri, id + "-sub", new MemoryPersistence());
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                all.countDown();
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions persistent = options(false);
        subscriber.connect(persistent).waitForCompletion(10_000);
        subscriber.subscribe(id + "/#", 1).waitForCompletion(10_000);
        List<MqttAsyncClient> publishers = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++) {
            MqttAsyncClient p = new MqttAsyncClient(uri, id + "-pub-" + i, new MemoryPersistence());
            p.connect(options(true)).waitForCompletion(10_000);
            publishers.add(p);
        }
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++) {
            MqttAsyncClient p = publishers.get(i);
            int share = messages / PUBLISHERS + (i < messages % PUBLISHERS ? 1 : 0);
            Thread t = new Thread(() -> publish(p, id + "/" + p.getClientId(), share, failed));
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        boolean complete = all.await(300, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (MqttAsyncClient p : publishers) {
            p.disconnect().waitForCompletion(10_000);
            p.close();
        }
        subscriber.disconnect().waitForCompletion(10_000);
        // end the persistent session so that rounds do not pile up state
        subscriber.connect(options(true)).waitForCompletion(10_000);
        subscriber.disconnect().waitForCompletion(10_000);
        subscriber.close();
        if (!complete || failed.get() > 0) {
            throw new IllegalStateException(uri + ": " + all.getCount() + " message(s) never arrived, " + failed.get()
                    + " publish(es) failed; a broker that loses messages gets no figure");
        }
        return messages / seconds;
    }

    private static void publish(MqttAsyncClient client, String topic, int count, AtomicInteger failed) {
        publish(client, i -> topic, 0, 1, count, false, failed);
    }

    /**
     * Publishes QoS 1 messages number {@code first}, {@code first + step}, ... below {@code end}
     * with at most {@link #WINDOW} in flight; returns once every PUBACK is in.
     */
    private static void publish(MqttAsyncClient client, java.util.function.IntFunction<String> topic, int first,
            int step, int end, boolean retain, AtomicInteger failed) {
        Semaphore window = new Semaphore(WINDOW);
        IMqttActionListener release = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                window.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                failed.incrementAndGet();
                window.release();
            }
        };
        try {
            for (int i = first; i < end; i += step) {
                window.acquire();
                client.publish(topic.apply(i), PAYLOAD, 1, retain, null, release);
            }
            window.acquire(WINDOW); // every PUBACK is in
        } catch (InterruptedException | MqttException e) {
            failed.incrementAndGet();
        }
    }

    private static MqttConnectOptions options(boolean clean) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(clean);
        o.setMaxInflight(WINDOW);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(600);
        return o;
    }

    private static double median(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** Fills the durable broker with retained and queued messages, restarts it, reports the time. */
    private static String restartTime(BrokerProcess broker) throws Exception {
        String offline = "bench-offline";
        MqttAsyncClient sub = new MqttAsyncClient(broker.uri(), offline, new MemoryPersistence());
        sub.connect(options(false)).waitForCompletion(10_000);
        sub.subscribe("queued/#", 1).waitForCompletion(10_000);
        sub.disconnect().waitForCompletion(10_000);
        sub.close();
        long filling = System.nanoTime();
        fill(broker.uri(), "retained/", RETAINED, true);
        fill(broker.uri(), "queued/", QUEUED, false);
        double fillSeconds = (System.nanoTime() - filling) / 1e9;
        long stopping = System.nanoTime();
        broker.kill(); // what a crash leaves: the write-ahead log to replay too
        long started = System.nanoTime();
        broker.restart();
        double restart = (System.nanoTime() - started) / 1e9;
        String log = broker.log();
        return String.format("%nRestart of the durable broker holding %,d retained and %,d queued messages "
                + "(filled in %.0f s, then SIGKILL):%n  process start to listening: %.1f s (%s; %s)%n", RETAINED, QUEUED,
                fillSeconds, restart, find(log, "Durable store opened in \\d+ ms"),
                find(log, "\\d+ persistent session\\(s\\) restored in \\d+ ms"))
                + String.format("  store: %s%n", storeSize(broker.home().resolve("data/store")))
                + String.format("  (stop to kill: %.1f s)%n", (started - stopping) / 1e9);
    }

    private static String find(String log, String regex) {
        Matcher m = Pattern.compile(regex).matcher(log);
        return m.find() ? m.group() : "(not logged)";
    }

    private static String storeSize(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            long bytes = files.mapToLong(p -> p.toFile().length()).sum();
            return String.format("%,d MB on disk", bytes >> 20);
        }
    }

    /** Publishes {@code count} QoS 1 messages (distinct topics when retained), pipelined. */
    private static void fill(String uri, String prefix, int count, boolean retain) throws Exception {
        int clients = 4;
        List<Thread> threads = new ArrayList<>();
        AtomicInteger failed = new AtomicInteger();
        for (int c = 0; c < clients; c++) {
            int first = c;
            Thread t = new Thread(() -> {
                try {
                    MqttAsyncClient p = new MqttAsyncClient(uri, "filler-" + prefix.replace("/", "") + first,
                            new MemoryPersistence());
                    p.connect(options(true)).waitForCompletion(10_000);
                    publish(p, i -> retain ? prefix + (i / 1000) + "/" + i : prefix + first, first, clients, count,
                            retain, failed);
                    p.disconnect().waitForCompletion(10_000);
                    p.close();
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " publish(es) failed while filling " + prefix);
        }
    }

    /** Mosquitto (the Debian package) with persistence on, on a free port, in its own folder. */
    private static final class Mosquitto {
        private Path dir;
        private Process process;
        private int port;

        void start() throws IOException, InterruptedException {
            dir = Files.createTempDirectory("mosquitto-bench-");
            port = BrokerProcess.freePort();
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\n"
                    + "persistence_location " + dir + "/\nmax_queued_messages 10000000\nmax_inflight_messages 20\n");
            process = new ProcessBuilder("mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
            org.awaitility.Awaitility.await("mosquitto listening on " + port).atMost(java.time.Duration.ofSeconds(10))
                    .ignoreExceptions().until(() -> {
                        new java.net.Socket("127.0.0.1", port).close();
                        return true;
                    });
        }

        String uri() {
            return "tcp://127.0.0.1:" + port;
        }

        String version() throws IOException, InterruptedException {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "mosquitto").start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return v;
        }

        void stop() throws InterruptedException {
            if (process != null) {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
                process.destroyForcibly();
            }
            if (dir != null) {
                BrokerProcess.deleteTree(dir);
            }
        }
    }
}
