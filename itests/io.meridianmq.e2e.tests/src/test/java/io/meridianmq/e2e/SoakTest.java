package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

import org.junit.Rule;
import org.junit.Test;

/**
 * Chaos and soak: for a chosen time ({@code -Dsoak.duration}, ISO-8601; a minute in the test
 * suite, an hour by {@code itests/bench/soak.sh}) the broker carries mixed QoS 0/1/2 load to
 * persistent and clean sessions and a shared subscription, meets reconnect storms of many clients
 * ({@code -Dsoak.storm}), and is killed (SIGKILL) and restarted every {@code -Dsoak.killEvery}.
 * At the end no acknowledged QoS 1/2 message of a persistent session may be missing and no QoS 2
 * message may have arrived twice. {@code target/soak-report.html} charts memory, p99 latency,
 * throughput and losses over time.
 */
public class SoakTest {

    private static final Duration DURATION = Duration.parse(System.getProperty("soak.duration", "PT1M"));
    private static final Duration KILL_EVERY = Duration.parse(System.getProperty("soak.killEvery", "PT25S"));
    private static final Duration STORM_EVERY = Duration.parse(System.getProperty("soak.stormEvery", "PT10S"));
    private static final int STORM = Integer.getInteger("soak.storm", 1000);

    @Rule
    public final BrokerProcess broker = new BrokerProcess()
            // a persistent subscriber that is away for a while collects everything meanwhile
            .withEtcFile("io.meridianmq.broker.cfg", "max_queued_messages = 10000000\nmax_queued_bytes = 0\n")
            .withEtcFile("io.meridianmq.protocol.cfg", "max_connections = -1\n");

    /** When the load started (the test's thread sets it before anything else reads it). */
    private volatile long startNanos = System.nanoTime();
    private final LatencyWindow latencies = new LatencyWindow();
    private final AtomicLong delivered = new AtomicLong();

    /** Latencies of the messages delivered in the current second, in microseconds. */
    private static final class LatencyWindow {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long micros) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = micros;
        }

        /** The p99 of what came since the last call, in ms; NaN when nothing came. */
        synchronized double drainP99Millis() {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            size = 0;
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1000.0;
        }
    }

    private double now() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void arrived(String payload) {
        delivered.incrementAndGet();
        latencies.add((System.nanoTime() - NumberedPublisher.sentAt(payload)) / 1000);
    }

    /** For a subscriber that is away on purpose: its messages wait by design, so no latency is taken. */
    private void arrivedLate(String payload) {
        delivered.incrementAndGet();
    }

    @Test
    public void acknowledgedMessagesSurviveKillsStormsAndTime() throws Exception {
        SoakReport report = new SoakReport();
        startNanos = System.nanoTime();
        java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> new Thread(r, "soak-sampler"));
        sampler.scheduleAtFixedRate(() -> sample(report), 1, 1, TimeUnit.SECONDS);
        List<PersistentSubscriber> online = new ArrayList<>();
        PersistentSubscriber q1 = new PersistentSubscriber(broker.uri(), "soak-q1", this::arrived);
        PersistentSubscriber q2 = new PersistentSubscriber(broker.uri(), "soak-q2", this::arrived);
        PersistentSubscriber shared1 = new PersistentSubscriber(broker.uri(), "soak-shared-1", this::arrived);
        PersistentSubscriber shared2 = new PersistentSubscriber(broker.uri(), "soak-shared-2", this::arrived);
        // away half of the time: its messages wait in its queue (and on disk) meanwhile
        PersistentSubscriber wanderer = new PersistentSubscriber(broker.uri(), "soak-wanderer", this::arrivedLate);
        // a clean session for QoS 0: no promise is kept across a kill, it shows the flow
        PersistentSubscriber q0 = new PersistentSubscriber(broker.uri(), "soak-q0", this::arrived);
        subscribe(q1, "soak/q1/#", 1);
        subscribe(q2, "soak/q2/#", 2);
        subscribe(shared1, "$share/soak/soak/shared/#", 1);
        subscribe(shared2, "$share/soak/soak/shared/#", 1);
        subscribe(wanderer, "soak/q1/#", 1);
        subscribe(q0, "soak/q0/#", 0);
        online.addAll(List.of(q1, q2, shared1, shared2, q0));

        List<NumberedPublisher> publishers = List.of(
                new NumberedPublisher(broker.uri(), "pub-q0", "soak/q0/a", 0, 2),
                new NumberedPublisher(broker.uri(), "pub-q1", "soak/q1/a", 1, 1),
                new NumberedPublisher(broker.uri(), "pub-q2", "soak/q2/a", 2, 2),
                new NumberedPublisher(broker.uri(), "pub-shared", "soak/shared/a", 1, 2));
        publishers.forEach(NumberedPublisher::start);

        AtomicInteger kills = new AtomicInteger();
        List<long[]> storms = new ArrayList<>(); // {clients connected, milliseconds}
        long end = System.nanoTime() + DURATION.toNanos();
        long nextKill = System.nanoTime() + KILL_EVERY.toNanos();
        long nextStorm = System.nanoTime() + STORM_EVERY.toNanos();
        long wandererToggle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean wandererAway = false;
        try {
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextKill) {
                    report.kill(now());
                    broker.kill();
                    broker.restart();
                    kills.incrementAndGet();
                    nextKill = System.nanoTime() + KILL_EVERY.toNanos();
                }
                if (System.nanoTime() >= nextStorm) {
                    report.storm(now());
                    storms.add(storm());
                    nextStorm = System.nanoTime() + STORM_EVERY.toNanos();
                }
                if (System.nanoTime() >= wandererToggle) {
                    wandererAway = !wandererAway;
                    if (wandererAway && wanderer.client.isConnected()) {
                        wanderer.client.disconnect();
                    }
                    wandererToggle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                }
                for (PersistentSubscriber s : wandererAway ? online : concat(online, wanderer)) {
                    try {
                        s.reconnectIfLost();
                    } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                        // the broker is starting again: next round
                    }
                }
                Thread.sleep(200); // the control loop's pace, not a wait for a result
            }
        } finally {
            for (NumberedPublisher p : publishers) {
                p.stop();
            }
            sampler.shutdownNow();
        }

        // every persistent subscriber back, then wait for what was acknowledged
        for (PersistentSubscriber s : concat(online, wanderer)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                s.reconnectIfLost();
                return true;
            });
        }
        NumberedPublisher pubQ1 = publishers.get(1);
        NumberedPublisher pubQ2 = publishers.get(2);
        NumberedPublisher pubShared = publishers.get(3);
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> q1.missing(pubQ1.acknowledged).isEmpty()
                    && q2.missing(pubQ2.acknowledged).isEmpty() && wanderer.missing(pubQ1.acknowledged).isEmpty()
                    && missingFromGroup(pubShared.acknowledged, shared1, shared2).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the assertions below say what is missing
        }
        Set<String> lostQ1 = q1.missing(pubQ1.acknowledged);
        Set<String> lostQ2 = q2.missing(pubQ2.acknowledged);
        Set<String> lostWanderer = wanderer.missing(pubQ1.acknowledged);
        Set<String> lostShared = missingFromGroup(pubShared.acknowledged, shared1, shared2);
        List<String> twice = q2.duplicates();

        double seconds = now();
        double[] lost = new double[(int) seconds + 1];
        double[] duplicated = new double[lost.length];
        for (Set<String> l : List.of(lostQ1, lostQ2, lostWanderer, lostShared)) {
            l.forEach(p -> lost[bucket(p, lost.length)]++);
        }
        twice.forEach(p -> duplicated[bucket(p.substring(0, p.indexOf(' ')), lost.length)]++);
        report.losses(lost, duplicated);
        long[] millis = storms.stream().mapToLong(r -> r[1]).sorted().toArray();
        report.total(String.format("%.0f s, %d kills (kill -9 and restart), %d reconnect storms of %d clients: %d "
                + "connections accepted of %d; all of a storm connected in %d ms (median), %d ms (slowest)", seconds,
                kills.get(), storms.size(), STORM, storms.stream().mapToLong(r -> r[0]).sum(),
                (long) storms.size() * STORM, millis.length == 0 ? 0 : millis[millis.length / 2],
                millis.length == 0 ? 0 : millis[millis.length - 1]));
        for (NumberedPublisher p : publishers) {
            report.total(String.format("%s: %d sent, %d acknowledged (QoS %d), %d failures (broker down)", p.name,
                    p.sent.get(), p.acknowledged.size(), p.qos, p.failures.get()));
        }
        report.total("acknowledged and lost: q1 " + lostQ1.size() + ", q2 " + lostQ2.size() + ", wanderer "
                + lostWanderer.size() + ", shared group " + lostShared.size() + "; QoS 2 delivered twice: "
                + twice.size());
        Path file = Path.of("target", "soak-report.html").toAbsolutePath();
        report.write(file, "Meridian soak, " + DURATION);

        assertTrue("the broker was killed at least once", kills.get() >= 1);
        assertEquals("acknowledged QoS 1 messages soak-q1 lacks", Set.of(), lostQ1);
        assertEquals("acknowledged QoS 2 messages soak-q2 lacks", Set.of(), lostQ2);
        assertEquals("acknowledged QoS 1 messages the wanderer lacks", Set.of(), lostWanderer);
        assertEquals("acknowledged QoS 1 messages the shared group lacks", Set.of(), lostShared);
        assertEquals("QoS 2 messages delivered twice", List.of(), twice);
        for (PersistentSubscriber s : concat(online, wanderer)) {
            s.close();
        }
    }

    private static List<PersistentSubscriber> concat(List<PersistentSubscriber> some, PersistentSubscriber one) {
        List<PersistentSubscriber> all = new ArrayList<>(some);
        all.add(one);
        return all;
    }

    private static void subscribe(PersistentSubscriber s, String filter, int qos) throws Exception {
        s.connect();
        s.client.subscribe(filter, qos);
    }

    private static Set<String> missingFromGroup(Set<String> acknowledged, PersistentSubscriber a,
            PersistentSubscriber b) {
        Set<String> missing = new HashSet<>(a.missing(acknowledged));
        missing.retainAll(b.missing(acknowledged));
        return missing;
    }

    private int bucket(String payload, int buckets) {
        long second = (NumberedPublisher.sentAt(payload) - startNanos) / 1_000_000_000L;
        return (int) Math.max(0, Math.min(buckets - 1, second));
    }

    /** One second's figures (on the sampler's thread); NaN for memory while the broker is down. */
    private void sample(SoakReport report) {
        double heap = Double.NaN;
        double rss = Double.NaN;
        try {
            heap = broker.metric("jvm_memory_used_bytes{area=\"heap\"") / (1 << 20);
            rss = broker.metric("process_resident_memory_bytes") / (1 << 20);
        } catch (Exception down) {
            // restarting
        }
        report.add(new SoakReport.Sample(now(), heap, rss, latencies.drainP99Millis(), delivered.getAndSet(0)));
    }

    /**
     * {@link #STORM} clients (HiveMQ's client, MQTT 3.1.1) connect at once and leave again.
     *
     * @return how many connected, and in how many milliseconds
     */
    private long[] storm() {
        List<Mqtt3AsyncClient> clients = new ArrayList<>(STORM);
        List<CompletableFuture<?>> connects = new ArrayList<>(STORM);
        long started = System.nanoTime();
        for (int i = 0; i < STORM; i++) {
            Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier("storm-" + i)
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildAsync();
            clients.add(c);
            connects.add(c.connect());
        }
        int accepted = 0;
        for (CompletableFuture<?> f : connects) {
            try {
                f.get(30, TimeUnit.SECONDS);
                accepted++;
            } catch (Exception refused) {
                // counted: a storm meeting a kill is refused
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        List<CompletableFuture<?>> gone = new ArrayList<>(STORM);
        for (Mqtt3AsyncClient c : clients) {
            gone.add(c.disconnect().exceptionally(e -> null));
        }
        CompletableFuture.allOf(gone.toArray(new CompletableFuture<?>[0])).orTimeout(30, TimeUnit.SECONDS)
                .exceptionally(e -> null).join();
        return new long[] {accepted, millis};
    }
}
