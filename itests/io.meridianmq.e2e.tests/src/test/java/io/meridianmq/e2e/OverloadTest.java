package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Rule;
import org.junit.Test;

/**
 * Overload protection on a broker with a small heap (256 MiB): messages queued for a subscriber
 * that does not acknowledge (Paho with manual acks, receive maximum 1) push it past
 * heap_threshold, so new clients are refused as server busy (MQTT 5: 0x89; 3.1.1: return code 3)
 * while the connected ones keep being served; once that subscriber is gone the broker takes new
 * clients again by itself. No OutOfMemoryError on the way.
 */
public class OverloadTest {

    private static final int HEAVY = 100;
    private static final String ONE_MIB = "x".repeat(1 << 20);
    private static final String TICK = "t".repeat(256 << 10);

    @Rule
    public final BrokerProcess broker = new BrokerProcess().withMaxHeap("256M")
            // the stalled subscriber's queue may hold all of it (the default stops at 32 MiB)
            .withEtcFile("io.meridianmq.broker.cfg", "max_queued_messages = 1000\nmax_queued_bytes = 0\n")
            .withEtcFile("io.meridianmq.overload.cfg", "heap_threshold = 40\nrecover_at = 90\n"
                    + "direct_memory_threshold = 0\nevent_loop_lag_threshold = 0\n");

    @Test
    public void pastTheHeapThresholdNewClientsAreRefusedUntilItRecovers() throws Exception {
        try {
            overloadAndRecover();
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the broker's log:\n" + broker.tail(), e);
        }
    }

    private void overloadAndRecover() throws Exception {
        try (V5Client pub = new V5Client(broker.uri(), "overload-pub");
                V5Client sub = new V5Client(broker.uri(), "overload-sub")) {
            pub.connect();
            sub.connect();
            sub.subscribe(V5Client.sub("live/#", 1));
            // a clean-session subscriber that takes one message and never acknowledges it
            org.eclipse.paho.mqttv5.client.MqttAsyncClient hog = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(
                    broker.uri(), "hog", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            hog.setManualAcks(true);
            org.eclipse.paho.mqttv5.client.MqttConnectionOptions hogOptions = V5Client.options();
            hogOptions.setReceiveMaximum(1);
            hog.connect(hogOptions).waitForCompletion(10_000);
            hog.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription("heavy/#", 1)).waitForCompletion(10_000);
            for (int i = 0; i < HEAVY; i++) {
                pub.publish("heavy/" + i, ONE_MIB, 1, false);
            }
            await("the broker says it is overloaded").atMost(Duration.ofSeconds(60)).until(() -> {
                // traffic that leaves garbage, so that a collection runs and sees the full queue
                // (tiny ticks on a loaded machine sometimes let a minute pass without one)
                pub.publish("live/tick", TICK, 0, false);
                return broker.log().contains("Overload: heap");
            });
            assertEquals(1.0, broker.metric("meridian_overloaded"), 0);

            try (V5Client late = new V5Client(broker.uri(), "late-v5")) {
                late.connect();
                fail("a new MQTT 5 client is refused while the broker is overloaded");
            } catch (org.eclipse.paho.mqttv5.common.MqttException busy) {
                assertEquals("server busy", 0x89, busy.getReasonCode());
            }
            MqttClient late3 = new MqttClient(broker.uri(), "late-v3", new MemoryPersistence());
            try {
                MqttConnectOptions o = new MqttConnectOptions();
                o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
                late3.connect(o);
                fail("a new MQTT 3.1.1 client is refused too");
            } catch (MqttException unavailable) {
                assertEquals("return code 3, server unavailable", MqttException.REASON_CODE_BROKER_UNAVAILABLE,
                        unavailable.getReasonCode());
            } finally {
                late3.close(true);
            }

            // the connected clients are still served
            pub.publish("live/still", "served", 1, false);
            String got;
            do {
                got = sub.next().text();
            } while (!got.equals("served"));

            hog.disconnectForcibly(1000); // its clean session and queue go with it
            hog.close(true);
            // with little traffic the JVM may not collect at all: the broker asks for a collection
            // after 20 quiet seconds, so it recovers even when idle
            await("the broker recovers by itself").atMost(Duration.ofSeconds(90)).until(() -> {
                pub.publish("live/tick", "tick", 0, false);
                return broker.log().contains("Overload over");
            });
            try (V5Client after = new V5Client(broker.uri(), "after-v5")) {
                after.connect();
            }
            assertEquals(0.0, broker.metric("meridian_overloaded"), 0);
        }
        assertTrue(broker.isAlive());
        assertFalse("no OutOfMemoryError", broker.log().contains("OutOfMemoryError"));
    }
}
