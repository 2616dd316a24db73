package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Rule;
import org.junit.Test;

/**
 * Per-client publish rate limits: {@code mosquitto_pub -l} flooding QoS 0 as fast as its socket
 * takes is held to {@code max_publish_rate} by the broker reading less from it (nothing of it
 * refused), while 50 Paho clients publishing below the limit keep their pace and lose nothing.
 */
public class RateLimitTest {

    private static final int RATE = 200;
    /** The flood's messages in one socket read: 64 KiB of PUBLISH packets of about 22 bytes. */
    private static final int ONE_READ = 65536 / 22;

    @Rule
    public final BrokerProcess broker = new BrokerProcess().withEtcFile("io.meridianmq.protocol.cfg",
            "max_publish_rate = " + RATE + "\nmax_publish_burst = " + RATE + "\n");

    private static MqttClient connect(String uri, String id) throws MqttException {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        c.setTimeToWait(20_000);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setMaxInflight(1000);
        c.connect(o);
        return c;
    }

    @Test
    public void aFloodingClientIsHeldToItsRateWhileFiftyOthersKeepTheirs() throws Exception {
        LongAdder floodReceived = new LongAdder();
        AtomicLong firstFlood = new AtomicLong();
        ConcurrentHashMap<String, Boolean> calmReceived = new ConcurrentHashMap<>();
        MqttClient subscriber = connect(broker.uri(), "rate-sub");
        subscriber.subscribe("flood/#", 0, (t, m) -> {
            firstFlood.compareAndSet(0, System.nanoTime());
            floodReceived.increment();
        });
        subscriber.subscribe("calm/#", 1, (t, m) -> calmReceived.put(new String(m.getPayload(), StandardCharsets.UTF_8),
                true));

        // the flooder: Debian's mosquitto_pub sending 500,000 lines as fast as the broker reads them
        Path lines = Files.createTempFile("flood", ".txt");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 500_000; i++) {
            text.append("flood-").append(i).append('\n');
        }
        Files.writeString(lines, text);
        Process flooder = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port()),
                "-i", "flooder", "-t", "flood/x", "-q", "0", "-l").redirectInput(lines.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            await("the flood reaches the subscriber").atMost(Duration.ofSeconds(30)).until(() -> firstFlood.get() != 0);

            // 50 well-behaved Paho clients, 10 QoS 1 messages a second each (paced by a timer), 30 messages
            int clients = 50;
            int perClient = 30;
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            long[] took = new long[clients];
            java.util.concurrent.ScheduledExecutorService pacer = java.util.concurrent.Executors.newScheduledThreadPool(16);
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(clients);
            try {
                for (int c = 0; c < clients; c++) {
                    int n = c;
                    MqttClient pub = connect(broker.uri(), "calm-" + n);
                    long start = System.nanoTime();
                    java.util.concurrent.atomic.AtomicInteger sentSoFar = new java.util.concurrent.atomic.AtomicInteger();
                    java.util.concurrent.atomic.AtomicReference<java.util.concurrent.ScheduledFuture<?>> tick =
                            new java.util.concurrent.atomic.AtomicReference<>();
                    tick.set(pacer.scheduleAtFixedRate(() -> {
                        int i = sentSoFar.getAndIncrement();
                        if (i >= perClient) {
                            return; // finished; its schedule is being cancelled
                        }
                        try {
                            pub.publish("calm/" + n, ("calm-" + n + "-" + i).getBytes(StandardCharsets.UTF_8), 1, false);
                            if (i == perClient - 1) {
                                took[n] = System.nanoTime() - start;
                                pub.disconnect();
                                pub.close();
                            }
                        } catch (MqttException e) {
                            failures.add(e);
                            sentSoFar.set(perClient);
                        }
                        if (sentSoFar.get() >= perClient) {
                            java.util.concurrent.ScheduledFuture<?> own = tick.get();
                            if (own != null) {
                                own.cancel(false);
                            }
                            done.countDown();
                        }
                    }, 0, 100, java.util.concurrent.TimeUnit.MILLISECONDS));
                }
                assertTrue("the well-behaved clients finished", done.await(120, java.util.concurrent.TimeUnit.SECONDS));
            } finally {
                pacer.shutdownNow();
            }
            assertEquals("the well-behaved clients' publishes", List.of(), failures);
            await("every calm message arrives").atMost(Duration.ofSeconds(30))
                    .until(() -> calmReceived.size() == clients * perClient);
            long slowest = 0;
            for (long t : took) {
                slowest = Math.max(slowest, t);
            }
            // their pace is 3 s for 30 messages; held to the flooder's fate they would not come near it
            assertTrue("a well-behaved client took " + slowest / 1_000_000 + " ms for " + perClient
                    + " messages at 10/s", slowest < Duration.ofSeconds(15).toNanos());

            double elapsed = (System.nanoTime() - firstFlood.get()) / 1e9;
            long flooded = floodReceived.sum();
            assertTrue("the flooder still had lines to send (it was held back, not done)", flooder.isAlive());
            assertTrue("the flooder got " + flooded + " messages through in " + String.format("%.1f", elapsed)
                    + " s; its limit is " + RATE + "/s with a burst of " + RATE + " (unlimited it sends 100,000s a second)" + "; it may run ahead by one socket read (64 KiB: some 3,000 such messages)",
                    flooded <= RATE * (elapsed + 1) + 2 * ONE_READ);
            assertTrue("and it was not stopped either: " + flooded, flooded >= RATE);
            assertTrue("the pauses are counted",
                    broker.metric("meridian_rate_limited_total{limit=\"publish_rate\"}") > 0);
            broker.awaitLog("Client 'flooder'");
            assertFalse("the flooder's connection is kept",
                    broker.log().contains("Closing the connection of client 'flooder'"));
        } finally {
            flooder.destroyForcibly().waitFor();
            Files.deleteIfExists(lines);
            subscriber.disconnectForcibly(1000);
            subscriber.close();
        }
    }
}
