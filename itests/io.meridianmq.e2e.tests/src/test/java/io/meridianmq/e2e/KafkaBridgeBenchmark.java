package io.meridianmq.e2e;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.junit.Test;

/**
 * The Kafka bridge measured, not asserted: MQTT to Kafka throughput (QoS 1, every PUBACK after
 * Kafka's acknowledgement) against the same publishers on a topic that is not bridged, the PUBACK
 * latency a paced publisher sees with and without the bridge (what the bridge adds), and Kafka to
 * MQTT throughput and latency (from the producer's send to the MQTT subscriber). A real Kafka 4.1
 * (KRaft) and the broker share this machine's cores with the clients. Not part of the test suite
 * (its name does not end in Test); run with
 * <pre>mvn -B -ntp -pl itests/io.meridianmq.e2e.tests verify -Dtest=KafkaBridgeBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * {@code -Dbench.messages} sets the messages per throughput scenario (default 50,000); the report
 * goes to {@code target/kafka-bridge-benchmark.txt}.
 */
public class KafkaBridgeBenchmark {

    private static final int MESSAGES = Integer.getInteger("bench.messages", 50_000);
    private static final int PUBLISHERS = 10;
    private static final int WINDOW = 100;
    private static final byte[] PAYLOAD = new byte[64];

    @Test
    public void bothDirections() throws Exception {
        List<String> lines = new ArrayList<>();
        try (KafkaServer kafka = new KafkaServer().start()) {
            BrokerProcess meridian = new BrokerProcess().withFeature("meridian-bridge-kafka")
                    .withEtcFile("io.meridianmq.broker.cfg", "max_queued_messages = 1000000\nmax_queued_bytes = 0\n")
                    .withEtcFile("io.meridianmq.kafka-bench.cfg", "bootstrap_servers = " + kafka.bootstrap() + "\n"
                            + "to_kafka = bench/kafka/# bench-in key=clientid\n"
                            + "from_kafka = bench-out bench/out/{key} 1\n");
            try {
                meridian.start();
                meridian.awaitLog("Kafka bridge 'bench' starting", Duration.ofSeconds(60));
                // warm-up: topics created, metadata known, JIT
                throughput(meridian.uri(), "bench/kafka", 2_000);
                throughput(meridian.uri(), "bench/plain", 2_000);
                double plain = throughput(meridian.uri(), "bench/plain", MESSAGES);
                double bridged = throughput(meridian.uri(), "bench/kafka", MESSAGES);
                lines.add(String.format(Locale.ROOT, "MQTT to Kafka, QoS 1, %d publishers, 64 B: %,.0f msg/s "
                        + "acknowledged by Kafka (the same publishers on a topic not bridged: %,.0f msg/s)",
                        PUBLISHERS, bridged, plain));
                long[] plainLatency = pubackLatency(meridian.uri(), "bench/plain/paced", 200, 10);
                long[] bridgedLatency = pubackLatency(meridian.uri(), "bench/kafka/paced", 200, 10);
                lines.add(String.format(Locale.ROOT, "PUBACK latency at 200 msg/s: bridged p50 %.2f ms p99 %.2f ms, "
                        + "not bridged p50 %.2f ms p99 %.2f ms (added by Kafka's acknowledgement: p50 %.2f ms)",
                        bridgedLatency[0] / 1e6, bridgedLatency[1] / 1e6, plainLatency[0] / 1e6, plainLatency[1] / 1e6,
                        (bridgedLatency[0] - plainLatency[0]) / 1e6));
                lines.add(kafkaToMqtt(meridian.uri(), kafka.bootstrap()));
            } finally {
                meridian.stop();
            }
        }
        StringBuilder report = new StringBuilder("\nKafkaBridgeBenchmark (" + MESSAGES + " messages per throughput "
                + "scenario):\n");
        lines.forEach(l -> report.append("  ").append(l).append('\n'));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target/kafka-bridge-benchmark.txt"), report);
        java.util.logging.Logger.getLogger(KafkaBridgeBenchmark.class.getName()).info(report.toString());
    }

    /** {@code PUBLISHERS} clients publishing {@code total} QoS 1 messages under {@code prefix}: acknowledged per second. */
    private static double throughput(String uri, String prefix, int total) throws Exception {
        List<MqttAsyncClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < PUBLISHERS; i++) {
                MqttAsyncClient c = client(uri);
                clients.add(c);
                String topic = prefix + "/" + i;
                threads.add(new Thread(() -> publish(c, topic, total / PUBLISHERS), "bench-publisher"));
            }
            long start = System.nanoTime();
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            return (total / PUBLISHERS) * PUBLISHERS / ((System.nanoTime() - start) / 1e9);
        } finally {
            for (MqttAsyncClient c : clients) {
                c.disconnect().waitForCompletion(5_000);
                c.close();
            }
        }
    }

    private static void publish(MqttAsyncClient client, String topic, int count) {
        WindowedPublishing.publish(client, topic, PAYLOAD, count, WINDOW);
    }

    /** One publisher at {@code perSecond} for {@code seconds}: PUBACK latency p50, p99 in ns. */
    private static long[] pubackLatency(String uri, String topic, int perSecond, int seconds) throws Exception {
        MqttAsyncClient c = client(uri);
        try {
            int n = perSecond * seconds;
            long[] latencies = new long[n];
            CountDownLatch done = new CountDownLatch(n);
            long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + i * interval;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                int index = i;
                long sent = System.nanoTime();
                c.publish(topic, PAYLOAD, 1, false, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        latencies[index] = System.nanoTime() - sent;
                        done.countDown();
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) {
                        latencies[index] = Long.MAX_VALUE;
                        done.countDown();
                    }
                });
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("PUBACKs missing");
            }
            Arrays.sort(latencies);
            return new long[] {latencies[n / 2], latencies[n * 99 / 100]};
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    /** Records produced to {@code bench-out} over 10 keys until an MQTT subscriber has them all; then a paced flow's latency. */
    private static String kafkaToMqtt(String uri, String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("linger.ms", "1");
        MqttAsyncClient subscriber = client(uri);
        AtomicInteger arrived = new AtomicInteger();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        subscriber.subscribe("bench/out/#", 1, (topic, m) -> {
            byte[] b = m.getPayload();
            if (b.length == 9 && b[0] == 1) {
                latencies.add(System.nanoTime() - ByteBuffer.wrap(b, 1, 8).getLong());
            } else {
                arrived.incrementAndGet();
            }
        }).waitForCompletion(10_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            byte[][] keys = new byte[10][];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = ("k" + i).getBytes(StandardCharsets.UTF_8);
            }
            producer.send(new ProducerRecord<>("bench-out", keys[0], PAYLOAD)).get(); // topic and group ready
            org.awaitility.Awaitility.await("the bridge consumes").atMost(Duration.ofSeconds(60)).until(() -> arrived.get() >= 1);
            arrived.set(0);
            long start = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                producer.send(new ProducerRecord<>("bench-out", keys[i % keys.length], PAYLOAD));
            }
            producer.flush();
            org.awaitility.Awaitility.await("every record in MQTT").atMost(Duration.ofSeconds(300))
                    .pollInterval(Duration.ofMillis(20)).until(() -> arrived.get() >= MESSAGES);
            double rate = MESSAGES / ((System.nanoTime() - start) / 1e9);
            int paced = 2_000;
            long interval = TimeUnit.MILLISECONDS.toNanos(5);
            long t0 = System.nanoTime();
            for (int i = 0; i < paced; i++) {
                while (System.nanoTime() < t0 + i * interval) {
                    Thread.onSpinWait();
                }
                ByteBuffer b = ByteBuffer.allocate(9).put((byte) 1).putLong(System.nanoTime());
                producer.send(new ProducerRecord<>("bench-out", keys[i % keys.length], b.array()));
            }
            producer.flush();
            org.awaitility.Awaitility.await("the paced records").atMost(Duration.ofSeconds(60))
                    .until(() -> latencies.size() >= paced);
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            return String.format(Locale.ROOT, "Kafka to MQTT, QoS 1, 10 keys: %,.0f msg/s into an MQTT subscriber; "
                    + "latency from the producer's send at 200 msg/s p50 %.2f ms p99 %.2f ms", rate,
                    sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 99 / 100] / 1e6);
        } finally {
            subscriber.disconnect().waitForCompletion(5_000);
            subscriber.close();
        }
    }

    private static MqttAsyncClient client(String uri) throws Exception {
        return WindowedPublishing.client(uri, WINDOW);
    }
}
