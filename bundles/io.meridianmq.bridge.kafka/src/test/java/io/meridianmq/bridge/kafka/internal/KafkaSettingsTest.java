package io.meridianmq.bridge.kafka.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.Test;

/** The Kafka bridge's lines, templates and keys as an operator means them; bad values refused by key. */
public class KafkaSettingsTest {

    @Test
    public void linesAndDefaults() {
        KafkaSettings s = KafkaSettings.from("analytics", Map.of("bootstrap_servers", "k:9092",
                "to_kafka", "sensors/+/telemetry telemetry-{2} key=clientid", "to_kafka.2", "events/# events key=json:id",
                "from_kafka", "commands devices/{key}/commands 2 true", "kafka.linger.ms", "20"));
        assertTrue(s.ackKafka());
        assertEquals("meridian-analytics", s.groupId());
        assertEquals(10_000, s.maxBuffered());
        assertEquals("telemetry-dev1", s.toKafka().get(0).kafkaTopicFor("sensors/dev1/telemetry", "c"));
        assertEquals(KafkaSettings.KeySource.JSON, s.toKafka().get(1).key());
        assertEquals("id", s.toKafka().get(1).jsonField());
        assertEquals(2, s.fromKafka().get(0).qos());
        assertTrue(s.fromKafka().get(0).retain());
        assertEquals("20", s.clientProperties().getProperty("linger.ms"));
        assertFalse(KafkaSettings.from("n", Map.of("bootstrap_servers", "k", "ack_mode", "none", "to_kafka", "a a"))
                .ackKafka());
    }

    @Test
    public void theMqttTopicComesFromTheRecord() {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("commands", 3, 7L, "dev/9".getBytes(StandardCharsets.UTF_8),
                "x".getBytes(StandardCharsets.UTF_8));
        r.headers().add("site", "a".getBytes(StandardCharsets.UTF_8));
        assertEquals("devices/dev_9/commands/3/a/commands", FromKafka.topicFor(
                new KafkaSettings.FromKafka("commands", "devices/{key}/commands/{partition}/{header:site}/{topic}", 1,
                        false), r));
    }

    @Test
    public void aJsonFieldBecomesTheKey() {
        assertEquals("d-7", ToKafka.jsonField("{\"deviceId\": \"d-7\", \"v\": 1}", "deviceId"));
        assertEquals("42", ToKafka.jsonField("{\"n\":42}", "n"));
        assertNull(ToKafka.jsonField("{\"other\":1}", "n"));
    }

    @Test
    public void badValuesAreRefusedNamingTheKey() {
        assertRefused(Map.of("to_kafka", "a a"), "no bootstrap_servers");
        assertRefused(Map.of("bootstrap_servers", "k"), "no to_kafka or from_kafka line");
        assertRefused(Map.of("bootstrap_servers", "k", "ack_mode", "maybe", "to_kafka", "a a"), "use kafka or none");
        assertRefused(Map.of("bootstrap_servers", "k", "to_kafka", "a/# bad/topic"), "is not a Kafka topic");
        assertRefused(Map.of("bootstrap_servers", "k", "to_kafka", "a/#/b t"), "is not a topic filter");
        assertRefused(Map.of("bootstrap_servers", "k", "to_kafka", "a t key=weird"), "use topic, clientid, none");
        assertRefused(Map.of("bootstrap_servers", "k", "from_kafka", "t a/# 1"), "is not an MQTT topic");
        assertRefused(Map.of("bootstrap_servers", "k", "from_kafka", "t a 3"), "QoS = 3");
    }

    private static void assertRefused(Map<String, String> config, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaSettings.from("b", config));
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }
}
