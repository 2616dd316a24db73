package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The Kafka bridge against a real Kafka 4 (KRaft, from Maven Central, started by the test):
 * MQTT to Kafka with the record's topic, key (client id, or a JSON field) and headers; Kafka to
 * MQTT with the topic made from the record's key and its headers as user properties; Kafka
 * stopped and started again during QoS 1 traffic (every acknowledged message is in Kafka, in
 * order per key, and the bridge's health says Kafka is away meanwhile); bad settings refused.
 * Clients: Paho 3.1.1 and 5, Kafka's own producer and consumer.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class KafkaBridgeTest {

    private static KafkaServer kafka;
    private static BrokerProcess meridian;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @BeforeClass
    public static void start() throws Exception {
        kafka = new KafkaServer().start();
        meridian = new BrokerProcess().withFeature("meridian-bridge-kafka").withEtcFile("io.meridianmq.kafka-analytics.cfg",
                "bootstrap_servers = " + kafka.bootstrap() + "\n"
                        + "to_kafka = sensors/+/telemetry telemetry key=clientid\n"
                        + "to_kafka.2 = events/# events key=json:deviceId\n"
                        + "from_kafka = commands devices/{key}/commands 1\n"
                        + "kafka.delivery.timeout.ms = 8000\nkafka.request.timeout.ms = 3000\n"
                        + "kafka.max.block.ms = 3000\n");
        meridian.start();
        meridian.awaitLog("Kafka bridge 'analytics' starting", Duration.ofSeconds(60));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (meridian != null) {
            meridian.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrap());
        p.put("group.id", "test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : text(h.value());
    }

    /** Reads {@code topic} from the start until {@code enough} records with {@code prefix} came. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, String prefix, int enough) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(topic)) {
            Awaitility.await(enough + " record(s) in Kafka topic " + topic).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ZERO).until(() -> {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            if (text(r.value()).startsWith(prefix)) {
                                found.add(r);
                            }
                        }
                        return found.size() >= enough;
                    });
        }
        return found;
    }

    @Test
    public void a_mqttMessagesBecomeKafkaRecordsWithKeyAndHeaders() throws Exception {
        try (V5Client device = new V5Client(meridian.uri(), "dev-" + RUN)) {
            device.connect();
            MqttMessage m = V5Client.message("a-21.5", 1, false);
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new UserProperty("unit", "C")));
            m.setProperties(p);
            device.publish("sensors/dev1/telemetry", m); // acknowledged once Kafka has it
            device.publish("events/door", "{\"deviceId\":\"d-7\",\"open\":true}", 1, false);
        }
        ConsumerRecord<byte[], byte[]> r = read("telemetry", "a-", 1).get(0);
        assertEquals("a-21.5", text(r.value()));
        assertEquals("dev-" + RUN, text(r.key()));
        assertEquals("sensors/dev1/telemetry", header(r, "mqtt.topic"));
        assertEquals("1", header(r, "mqtt.qos"));
        assertEquals("dev-" + RUN, header(r, "mqtt.clientid"));
        assertEquals("C", header(r, "unit"));
        ConsumerRecord<byte[], byte[]> e = read("events", "{", 1).get(0);
        assertEquals("d-7", text(e.key()));
    }

    @Test
    public void b_kafkaRecordsBecomeMqttMessages() throws Exception {
        try (V5Client device = new V5Client(meridian.uri(), "dev9-" + RUN);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            device.connect();
            device.subscribe(V5Client.sub("devices/+/commands", 1));
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("commands", "dev9".getBytes(StandardCharsets.UTF_8),
                    "reboot".getBytes(StandardCharsets.UTF_8));
            record.headers().add("origin", "ops".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
            V5Client.Received got = device.next();
            assertEquals("devices/dev9/commands", got.topic());
            assertEquals("reboot", got.text());
            assertEquals(List.of(new UserProperty("origin", "ops")), got.message().getProperties().getUserProperties());
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrap());
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Test
    public void c_nothingAcknowledgedIsLostWhileKafkaIsAwayAndOrderIsKeptPerKey() throws Exception {
        String name = "load-" + RUN;
        NumberedPublisher device = new NumberedPublisher(meridian.uri(), name, "sensors/load/telemetry", 1, 2);
        device.start();
        try {
            Awaitility.await("traffic into Kafka").atMost(Duration.ofSeconds(60))
                    .until(() -> device.acknowledged.size() >= 100);
            kafka.stop();
            Awaitility.await("health shows Kafka away").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> meridian.readiness().contains("\"name\":\"io.meridianmq.bridge.kafka kafka analytics\",\"status\":\"DOWN\""));
            assertTrue(meridian.readiness(), meridian.readiness().startsWith("{\"status\":\"UP\""));
            kafka.start();
            int after = device.acknowledged.size() + 100;
            Awaitility.await("traffic after Kafka came back").atMost(Duration.ofSeconds(120))
                    .until(() -> device.acknowledged.size() >= after);
        } finally {
            device.stop();
        }
        Set<String> acknowledged = Set.copyOf(device.acknowledged);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        Set<String> inKafka = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer("telemetry")) {
            try {
                Awaitility.await("every acknowledged message in Kafka").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ZERO).until(() -> {
                            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                                if (text(r.value()).startsWith(name + "-")) {
                                    records.add(r);
                                    inKafka.add(text(r.value()));
                                }
                            }
                            return inKafka.containsAll(acknowledged);
                        });
            } catch (org.awaitility.core.ConditionTimeoutException notAll) {
                // said below
            }
        }
        Set<String> missing = new java.util.TreeSet<>(acknowledged);
        missing.removeAll(inKafka);
        assertTrue("acknowledged but not in Kafka (" + missing.size() + " of " + acknowledged.size() + "): " + missing,
                missing.isEmpty());
        // one key (the client id), one partition: the numbers come in the order they were published
        int last = -1;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String v = text(r.value());
            int n = Integer.parseInt(v.substring(name.length() + 1, v.lastIndexOf('-')));
            assertTrue("out of order: " + n + " after " + last, n >= last);
            last = n;
        }
    }

    @Test
    public void d_badSettingsAreRefusedWithALineNamingTheKey() throws Exception {
        java.nio.file.Path file = meridian.home().resolve("etc/io.meridianmq.kafka-broken.cfg");
        java.nio.file.Files.writeString(file, "bootstrap_servers = " + kafka.bootstrap() + "\nack_mode = sometimes\n"
                + "to_kafka = a/# a\n");
        meridian.awaitLog("Kafka bridge 'broken' not started", Duration.ofSeconds(30));
        assertTrue(meridian.log(), meridian.log().contains("ack_mode = 'sometimes': use kafka or none"));
        java.nio.file.Files.delete(file);
    }
}
