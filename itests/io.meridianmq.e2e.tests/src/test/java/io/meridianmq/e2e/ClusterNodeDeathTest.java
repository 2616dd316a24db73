package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.ClassRule;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;

/**
 * kill -9 of the node clients are connected to, and its return. First, the wills: their connections end without DISCONNECT, so the
 * cluster publishes their wills from another node, as their node would have: at once, or after
 * the will delay (with the session, which another node took over) unless the client connected
 * again in time; a will already waiting for its delay when the node died is sent by the node that
 * took its session over; a will discarded by a DISCONNECT stays unsent. Then the node starts again
 * from its store, which still has the sessions that moved to other nodes meanwhile: it drops them
 * (no route, no queue for them) and their clients find them where they went. Clients: Paho 3.1.1
 * and 5, HiveMQ.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ClusterNodeDeathTest {

    @ClassRule
    public static final ClusterNodes CLUSTER = new ClusterNodes(3);

    private static final String BASE = "death-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    public void a_theWillsOfTheClientsOfAKilledNodeArePublished() throws Exception {
        String base = BASE;
        BrokerProcess doomed = CLUSTER.node(0);
        Map<String, String> wills = new ConcurrentHashMap<>();
        try (V5Client watcher = new V5Client(CLUSTER.node(2).uri(), base + "-watcher");
                V5Client probe = new V5Client(doomed.uri(), base + "-probe")) {
            watcher.connect();
            watcher.subscribe(V5Client.sub(base + "/#", 1));
            probe.connect();
            Awaitility.await("the watcher's route reaches the doomed node").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        probe.publish(base + "/probe", "probe", 1, false);
                        return watcher.poll(200) != null;
                    });
            while (watcher.poll(300) != null) {
                // late probes
            }

            // a client gone before the node: its will waits for its delay there, and the cluster has it too
            V5Client left = new V5Client(doomed.uri(), base + "-left");
            left.connect(withWill(base + "/left", "left before its node died", 8));
            left.drop();
            doomed.awaitLogLine(line -> line.contains(base + "-left") && line.contains("is sent in 8 s"),
                    "holds back the will of the client that left");

            // MQTT 3.1.1, clean session: its will goes at once
            MqttClient v3 = new MqttClient(doomed.uri(), base + "-v3", new MemoryPersistence());
            MqttConnectOptions o3 = new MqttConnectOptions();
            o3.setWill(base + "/v3", "v3 device gone".getBytes(StandardCharsets.UTF_8), 1, false);
            v3.connect(o3);
            // MQTT 5 (HiveMQ client): its will goes at once
            Mqtt5BlockingClient hive = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5()
                    .identifier(base + "-hive").serverHost("127.0.0.1").serverPort(doomed.port())
                    .willPublish().topic(base + "/hive").payload("hive device gone".getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).applyWillPublish().buildBlocking();
            hive.connect();
            // MQTT 5 with a session that outlives the connection: the will waits for its delay
            V5Client delayed = new V5Client(doomed.uri(), base + "-delayed");
            delayed.connect(withWill(base + "/delayed", "delayed device gone", 8));
            delayed.subscribe(V5Client.sub("stale/" + base + "/#", 1));
            // the same, but the client is back (on another node) before the delay passes: no will
            V5Client back = new V5Client(doomed.uri(), base + "-back");
            back.connect(withWill(base + "/back", "must not be sent: the client came back", 8));
            // a client that said DISCONNECT: its will was discarded and stays so
            V5Client polite = new V5Client(doomed.uri(), base + "-polite");
            polite.connect(withWill(base + "/polite", "must not be sent: DISCONNECT", 0));
            polite.disconnect();

            doomed.kill();
            V5Client returned = new V5Client(CLUSTER.node(2).uri(), base + "-back");
            MqttConnectionOptions again = V5Client.options();
            again.setCleanStart(false);
            again.setSessionExpiryInterval(600L);
            Awaitility.await("the returning client connects to a survivor").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                        returned.connect(again);
                        return returned.paho.isConnected();
                    });

            Awaitility.await("the wills of the killed node's clients arrive").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        V5Client.Received r = watcher.poll(100);
                        if (r != null) {
                            wills.put(r.topic(), r.text());
                        }
                        return wills.keySet().containsAll(java.util.List.of(base + "/v3", base + "/hive",
                                base + "/delayed", base + "/left"));
                    });
            // the returning client's will was due with the delayed one's: give it as long again to show up
            Awaitility.await("no will of a client that came back or said DISCONNECT").during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(5)).until(() -> {
                        V5Client.Received r = watcher.poll(100);
                        if (r != null) {
                            wills.put(r.topic(), r.text());
                        }
                        return !wills.containsKey(base + "/back") && !wills.containsKey(base + "/polite");
                    });
            assertEquals("v3 device gone", wills.get(base + "/v3"));
            assertEquals("hive device gone", wills.get(base + "/hive"));
            assertEquals("delayed device gone", wills.get(base + "/delayed"));
            assertEquals("left before its node died", wills.get(base + "/left"));
            assertFalse(wills.containsKey(base + "/back"));
            returned.close();
        }
    }

    @Test
    public void b_theKilledNodeReturnsWithoutTheSessionsThatMovedAway() throws Exception {
        BrokerProcess returning = CLUSTER.node(0);
        returning.restart();
        returning.awaitLogLine(l -> l.contains("moved to other nodes while it was away and end here"),
                "drops the sessions that moved");
        // none of them stays: no route of theirs leads here
        Awaitility.await("the returned node keeps no route of the moved sessions").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> returning.metric("meridian_cluster_routes_local ") == 0);
        try (V5Client publisher = new V5Client(CLUSTER.node(2).uri(), BASE + "-publisher");
                V5Client device = new V5Client(returning.uri(), BASE + "-delayed")) {
            publisher.connect();
            publisher.publish("stale/" + BASE + "/x", "while its client was away", 1, false);
            MqttConnectionOptions resume = V5Client.options();
            resume.setCleanStart(false);
            resume.setSessionExpiryInterval(600L);
            // its session comes from the node it moved to, with what was queued there
            assertTrue("session present", device.connect(resume).getSessionPresent());
            assertEquals("while its client was away", device.next().text());
            assertNull("delivered once", device.poll(500));
        }
    }

    private static MqttConnectionOptions withWill(String topic, String payload, long delaySeconds) {
        MqttConnectionOptions o = V5Client.options();
        o.setCleanStart(true);
        o.setSessionExpiryInterval(600L);
        MqttProperties will = new MqttProperties();
        will.setWillDelayInterval(delaySeconds);
        o.setWillMessageProperties(will);
        o.setWill(topic, V5Client.message(payload, 1, false));
        return o;
    }
}
