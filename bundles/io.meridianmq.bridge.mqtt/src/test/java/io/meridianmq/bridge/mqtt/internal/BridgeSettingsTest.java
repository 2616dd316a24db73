package io.meridianmq.bridge.mqtt.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

/** Mosquitto's bridge words read as a Mosquitto user means them, and bad values refused by key. */
public class BridgeSettingsTest {

    @Test
    public void topicLinesReadAsMosquittoReadsThem() {
        TopicMapping t = BridgeSettings.topic("topic", "sensors/# out 1 \"\" site-a/");
        assertEquals("sensors/#", t.localFilter());
        assertEquals("site-a/sensors/#", t.remoteFilter());
        assertTrue(t.out());
        assertFalse(t.in());
        assertEquals(1, t.qos());
        assertEquals("site-a/sensors/t1", t.toRemote("sensors/t1"));
        assertEquals("sensors/t1", t.toLocal("site-a/sensors/t1"));

        TopicMapping both = BridgeSettings.topic("topic.2", "# both 2 local/ remote/");
        assertEquals("local/#", both.localFilter());
        assertEquals("remote/#", both.remoteFilter());
        assertEquals("remote/x/y", both.toRemote("local/x/y"));

        TopicMapping plain = BridgeSettings.topic("topic.3", "a/b");
        assertTrue(plain.out());
        assertEquals(0, plain.qos());
    }

    @Test
    public void settingsHaveMosquittosDefaults() {
        BridgeSettings s = BridgeSettings.from("central", Map.of("address", "10.0.0.1", "topic", "a/# out 1",
                "topic.2", "b/# in 2"));
        assertEquals(List.of("10.0.0.1:1883"), s.addresses());
        assertEquals(4, s.protocolVersion());
        assertFalse(s.cleanSession());
        assertTrue(s.tryPrivate());
        assertTrue(s.notifications());
        assertEquals("$SYS/broker/connection/central/state", s.notificationTopic());
        assertEquals(5, s.restartBase().toSeconds());
        assertEquals(30, s.restartCap().toSeconds());
        assertEquals(2, s.topics().size());
        assertEquals(5, BridgeSettings.from("c", Map.of("address", "h:1884", "topic", "a", "bridge_protocol_version",
                "mqttv50")).protocolVersion());
    }

    @Test
    public void badValuesAreRefusedNamingTheKey() {
        assertRefused(Map.of("topic", "a"), "no address");
        assertRefused(Map.of("address", "h:1883"), "no topic line");
        assertRefused(Map.of("address", "h:99999", "topic", "a"), "address = 99999");
        assertRefused(Map.of("address", "h", "topic", "a sideways"), "not 'sideways'");
        assertRefused(Map.of("address", "h", "topic", "a out 3"), "topic QoS = 3");
        assertRefused(Map.of("address", "h", "topic", "a out 1 x/"), "pattern [[[out|in|both]");
        assertRefused(Map.of("address", "h", "topic", "a out 1 x/+/ y/"), "no wildcards");
        assertRefused(Map.of("address", "h", "topic", "a", "bridge_protocol_version", "mqttv6"), "mqttv311 or mqttv50");
        assertRefused(Map.of("address", "h", "topic", "a", "cleansession", "yes"), "cleansession = 'yes'");
        assertRefused(Map.of("address", "h", "topic", "a", "bridge_certfile", "/nonexistent.pem"), "go together");
        assertRefused(Map.of("address", "h", "topic", "a", "bridge_cafile", "/nonexistent.pem"),
                "bridge_cafile = /nonexistent.pem: no such readable file");
    }

    private static void assertRefused(Map<String, String> config, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BridgeSettings.from("b", config));
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }

    @Test
    public void anEchoIsRecognisedOnceWithinItsWindow() {
        EchoGuard guard = new EchoGuard();
        byte[] payload = {1, 2, 3};
        guard.sent("loop/a", payload, 1_000);
        assertFalse("another topic", guard.isEcho("loop/b", payload, 1_001));
        assertTrue(guard.isEcho("loop/a", payload, 1_002));
        assertFalse("only once", guard.isEcho("loop/a", payload, 1_003));
        guard.sent("loop/a", payload, 2_000);
        assertFalse("too late", guard.isEcho("loop/a", payload, 2_000 + EchoGuard.WINDOW_MILLIS + 1));
    }
}
