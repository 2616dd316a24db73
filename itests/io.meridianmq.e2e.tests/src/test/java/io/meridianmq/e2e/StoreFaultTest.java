package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;

/**
 * The store's disk fills up (a real tmpfs, filled by the test): QoS 1 messages for persistent
 * sessions are refused (MQTT 5: PUBACK 0x80; MQTT 3.1.1: the connection is closed, never a
 * false PUBACK), the broker logs it once and raises {@code meridian_store_failing}, QoS 0 and
 * clean sessions are served on; when space returns it writes again by itself, and after a kill
 * -9 the persistent session has every message that was acknowledged, before and after.
 */
public class StoreFaultTest {

    private final SmallFileSystem disk = new SmallFileSystem(16);
    private final BrokerProcess broker = new BrokerProcess()
            .withEtcFile("io.meridianmq.storage.cfg", "persistence = true\npersistence_location = " + disk.path() + "\n");

    @Rule
    public final RuleChain order = RuleChain.outerRule(disk).around(broker);

    @Test
    public void aFullDiskRefusesWhatCannotBeStoredAndNothingAcknowledgedIsLost() throws Exception {
        MqttConnectionOptions persistent = V5Client.options();
        persistent.setCleanStart(false);
        persistent.setSessionExpiryInterval(3600L);
        try (V5Client keeper = new V5Client(broker.uri(), "keeper")) {
            keeper.connect(persistent);
            keeper.subscribe(V5Client.sub("disk/#", 1));
            keeper.disconnect();
        }
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try (V5Client watcher = new V5Client(broker.uri(), "watcher"); V5Client pub = new V5Client(broker.uri(), "pub")) {
            watcher.connect();
            watcher.subscribe(V5Client.sub("disk/q0", 0));
            pub.connect();
            for (int i = 0; i < 20; i++) {
                assertEquals(0, pub.publish("disk/q1", "before-" + i, 1, false).getReasonCodes()[0]);
                acknowledged.add("before-" + i);
            }

            disk.fill();
            assertEquals("a QoS 1 message the store cannot keep is refused", 0x80,
                    pub.publish("disk/q1", "while-full", 1, false).getReasonCodes()[0]);
            broker.awaitLog("Cannot write the store");
            assertEquals(1.0, broker.metric("meridian_store_failing"), 0.0);
            assertTrue(broker.metric("meridian_store_failed_commits_total") >= 1);

            // QoS 0 and clean sessions are served on
            pub.publish("disk/q0", "q0-while-full", 0, false);
            assertEquals("q0-while-full", watcher.next().text());

            // an MQTT 3.1.1 client has no negative PUBACK: its connection is closed instead
            MqttClient v3 = new MqttClient(broker.uri(), "v3-pub", new MemoryPersistence());
            v3.setTimeToWait(10_000);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            v3.connect(o);
            MqttMessage m = new MqttMessage("v3-while-full".getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            assertThrows(MqttException.class, () -> v3.publish("disk/q1", m));
            broker.awaitLog("it is not acknowledged");
            v3.close(true);
            assertEquals("the failure is logged once, not per message", 1,
                    broker.log().split("Cannot write the store", -1).length - 1);

            // the space comes back: the broker writes again by itself
            disk.free();
            AtomicInteger n = new AtomicInteger();
            await("the store writes again").atMost(Duration.ofSeconds(30)).until(() -> {
                String payload = "after-" + n.getAndIncrement();
                if (pub.publish("disk/q1", payload, 1, false).getReasonCodes()[0] == 0) {
                    acknowledged.add(payload);
                    return true;
                }
                return false;
            });
            for (int i = 0; i < 20; i++) {
                assertEquals(0, pub.publish("disk/q1", "later-" + i, 1, false).getReasonCodes()[0]);
                acknowledged.add("later-" + i);
            }
            broker.awaitLog("is written again");
            assertEquals(0.0, broker.metric("meridian_store_failing"), 0.0);
        }

        // nothing acknowledged is lost, even across a kill -9 right after
        broker.kill();
        broker.restart();
        Set<String> received = new TreeSet<>();
        try (V5Client keeper = new V5Client(broker.uri(), "keeper")) {
            assertTrue("the session survived", keeper.connect(persistent).getSessionPresent());
            while (!received.containsAll(acknowledged)) {
                V5Client.Received r = keeper.poll(10_000);
                if (r == null) {
                    Set<String> missing = new TreeSet<>(acknowledged);
                    missing.removeAll(received);
                    throw new AssertionError("acknowledged messages lost: " + missing);
                }
                received.add(r.text());
            }
        }
    }
}
