package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.junit.ClassRule;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

/**
 * Three Meridian processes as one cluster (the meridian-cluster feature on Hazelcast), driven by
 * Eclipse Paho (3.1.1 and 5) and the HiveMQ client: messages cross nodes at every QoS, retained
 * messages are cluster-wide, wildcards and shared subscriptions work across nodes, a client id
 * connecting to another node takes its session over there, and a node leaving and coming back
 * leaves the others serving, and a node left alone (below min_cluster_size) refuses clients.
 * Tests run in name order: the last two stop nodes.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ClusterTest {

    @ClassRule
    public static final ClusterNodes CLUSTER = new ClusterNodes(3);

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static MqttConnectionOptions persistent() {
        MqttConnectionOptions o = V5Client.options();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(300L);
        return o;
    }

    @Test
    public void a_messagesCrossNodesAtEveryQos() throws Exception {
        String topic = unique("cross") + "/data";
        try (V5Client subscriber = new V5Client(CLUSTER.node(2).uri(), unique("sub"));
                V5Client publisher = new V5Client(CLUSTER.node(0).uri(), unique("pub"))) {
            subscriber.connect();
            subscriber.subscribe(V5Client.sub(topic.substring(0, topic.indexOf('/')) + "/+", 2));
            publisher.connect();
            awaitRouted(publisher, topic, subscriber);
            for (int qos = 0; qos <= 2; qos++) {
                publisher.publish(topic, "qos" + qos, qos, false);
                V5Client.Received r = subscriber.next();
                assertEquals("qos" + qos, r.text());
                assertEquals("the message keeps its QoS across nodes", qos, r.message().getQos());
            }
            assertNull("each message arrives once", subscriber.poll(500));
        }
        // the HiveMQ client publishing on the third node, to a Paho 3.1.1 subscriber on the first
        MqttClient v3 = new MqttClient(CLUSTER.node(0).uri(), unique("v3"), new MemoryPersistence());
        List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            v3.connect(o);
            v3.subscribe(topic, 1, (t, m) -> got.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            Mqtt5BlockingClient hive = hiveMq(CLUSTER.node(1));
            try {
                awaitUntil(() -> {
                    hive.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload("probe".getBytes()).send();
                    return got.contains("probe");
                }, "the HiveMQ client's message on node 2 reaches the Paho 3.1.1 subscriber on node 1");
                Mqtt5PublishResult result = hive.publishWith().topic(topic).qos(MqttQos.EXACTLY_ONCE)
                        .payload("from-hivemq".getBytes()).send();
                assertFalse(result.getError().isPresent());
                awaitUntil(() -> got.contains("from-hivemq"), "the QoS 2 message crosses");
            } finally {
                hive.disconnect();
            }
        } finally {
            v3.disconnect();
            v3.close();
        }
    }

    @Test
    public void b_retainedMessagesAreClusterWide() throws Exception {
        String topic = unique("retained") + "/state";
        try (V5Client publisher = new V5Client(CLUSTER.node(0).uri(), unique("pub"))) {
            publisher.connect();
            publisher.publish(topic, "on", 1, true);
        }
        for (int node = 1; node <= 2; node++) {
            int n = node;
            awaitUntil(() -> {
                try (V5Client late = new V5Client(CLUSTER.node(n).uri(), unique("late"))) {
                    late.connect();
                    late.subscribe(V5Client.sub(topic, 1));
                    V5Client.Received r = late.poll(1000);
                    return r != null && r.text().equals("on") && r.message().isRetained();
                }
            }, "the retained message set on node 1 is found on node " + (node + 1));
        }
        try (V5Client clearer = new V5Client(CLUSTER.node(2).uri(), unique("clear"))) {
            clearer.connect();
            clearer.publish(topic, "", 1, true);
        }
        awaitUntil(() -> {
            try (V5Client late = new V5Client(CLUSTER.node(0).uri(), unique("late"))) {
                late.connect();
                late.subscribe(V5Client.sub(topic, 1));
                return late.poll(1000) == null;
            }
        }, "the retained message cleared on node 3 is gone on node 1");
    }

    @Test
    public void b2_everyNodeShowsTheClusterInHealthAndMetrics() throws Exception {
        for (int node = 0; node < 3; node++) {
            BrokerProcess n = CLUSTER.node(node);
            assertEquals("members seen by node " + (node + 1), 3.0, n.metric("meridian_cluster_members "), 0);
            assertEquals(1.0, n.metric("meridian_cluster_accepting "), 0);
            java.net.http.HttpResponse<String> ready = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(n.managementUri() + "/health/ready"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(ready.body(), 200, ready.statusCode());
            assertTrue("the readiness names the cluster: " + ready.body(),
                    ready.body().contains("{\"name\":\"cluster\",\"status\":\"UP\"}"));
        }
        // the REST API and the console say which node they speak for
        java.util.Set<String> nodeIds = new java.util.HashSet<>();
        for (int node = 0; node < 3; node++) {
            BrokerProcess n = CLUSTER.node(node);
            String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((BrokerProcess.ADMIN_USER + ":"
                    + BrokerProcess.passwordOf(BrokerProcess.ADMIN_USER)).getBytes(StandardCharsets.UTF_8));
            java.net.http.HttpResponse<String> stats = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(n.managementUri() + "/api/v1/stats"))
                            .header("Authorization", basic).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(stats.body(), 200, stats.statusCode());
            String id = stats.headers().firstValue("Meridian-Node").orElse("");
            assertTrue("the REST answer names its node", !id.isEmpty());
            nodeIds.add(id);
            assertTrue("meridian:stats names its node", n.shell("meridian:stats").contains(id));
        }
        assertEquals("three nodes, three ids", 3, nodeIds.size());
        double oldest = 0;
        double forwarded = 0;
        for (int node = 0; node < 3; node++) {
            oldest += CLUSTER.node(node).metric("meridian_cluster_oldest ");
            forwarded += CLUSTER.node(node).metric("meridian_cluster_forwarded_out ");
        }
        assertEquals("exactly one node is the oldest", 1.0, oldest, 0);
        assertTrue("the earlier tests forwarded messages between nodes", forwarded > 0);
    }

    @Test
    public void c_sharedSubscriptionsSpreadOverMembersOnEveryNode() throws Exception {
        String base = unique("jobs");
        String filter = "$share/workers/" + base + "/#";
        List<V5Client> workers = new ArrayList<>();
        try (V5Client publisher = new V5Client(CLUSTER.node(0).uri(), unique("pub"));
                V5Client plain = new V5Client(CLUSTER.node(1).uri(), unique("plain"))) {
            for (int node = 0; node < 3; node++) {
                V5Client w = new V5Client(CLUSTER.node(node).uri(), unique("worker" + node));
                workers.add(w);
                w.connect();
                w.subscribe(V5Client.sub(filter, 1));
            }
            plain.connect();
            plain.subscribe(V5Client.sub(base + "/+/done", 1));
            publisher.connect();
            // every node knows every group member's node before counting
            awaitRouted(publisher, base + "/probe/done", plain);
            drain(workers);
            int total = 60;
            for (int i = 0; i < total; i++) {
                publisher.publish(base + "/" + i + "/done", "job" + i, 1, false);
            }
            Map<Integer, Set<String>> byWorker = new HashMap<>();
            Set<String> all = new HashSet<>();
            int received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received < total && System.nanoTime() < deadline) {
                for (int w = 0; w < workers.size(); w++) {
                    V5Client.Received r = workers.get(w).poll(50);
                    if (r != null) {
                        received++;
                        all.add(r.text());
                        byWorker.computeIfAbsent(w, k -> new HashSet<>()).add(r.text());
                    }
                }
            }
            assertEquals("every job went to exactly one member of the group", total, received);
            assertEquals(total, all.size());
            for (int w = 0; w < 3; w++) {
                assertTrue("the member on node " + (w + 1) + " got a share: " + byWorker,
                        byWorker.getOrDefault(w, Set.of()).size() >= total / 6);
            }
            for (int i = 0; i < total; i++) {
                assertEquals("the plain wildcard subscriber on node 2 gets every job too", base + "/" + i + "/done",
                        nextSkipping(plain, base + "/probe/done").topic());
            }
        } finally {
            workers.forEach(V5Client::close);
        }
    }

    @Test
    public void c2_noLocalSubscriptionIdsAndRetainAsPublishedBehaveAsOnOneNode() throws Exception {
        String base = unique("options");
        try (V5Client self = new V5Client(CLUSTER.node(0).uri(), unique("self"));
                V5Client other = new V5Client(CLUSTER.node(1).uri(), unique("other"));
                V5Client withId = new V5Client(CLUSTER.node(2).uri(), unique("with-id"));
                V5Client asPublished = new V5Client(CLUSTER.node(1).uri(), unique("as-published"))) {
            self.connect();
            org.eclipse.paho.mqttv5.common.MqttSubscription noLocal = V5Client.sub(base + "/chat", 1);
            noLocal.setNoLocal(true);
            self.subscribe(noLocal);
            other.connect();
            other.subscribe(V5Client.sub(base + "/chat", 1));
            withId.connect();
            org.eclipse.paho.mqttv5.common.packet.MqttProperties id =
                    new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
            id.setSubscriptionIdentifier(7);
            withId.subscribe(id, V5Client.sub(base + "/#", 1));
            asPublished.connect();
            org.eclipse.paho.mqttv5.common.MqttSubscription rap = V5Client.sub(base + "/state", 1);
            rap.setRetainAsPublished(true);
            asPublished.subscribe(rap);
            awaitRouted(self, base + "/chat", other);
            drain(List.of(self, withId));

            self.publish(base + "/chat", "hello", 1, false);
            assertEquals("the subscriber on another node gets it", "hello", other.next().text());
            V5Client.Received tagged = withId.next();
            assertEquals("hello", tagged.text());
            assertEquals("the subscription identifier of the node that delivers it", List.of(7),
                    tagged.message().getProperties().getSubscriptionIdentifiers());
            assertNull("no-local: the publisher does not get its own message", self.poll(500));

            self.publish(base + "/state", "on", 1, true);
            V5Client.Received live = asPublished.next();
            assertEquals("on", live.text());
            assertTrue("retain as published: the retain flag stays on a live message", live.message().isRetained());
            V5Client.Received plain = withId.next();
            assertEquals("on", plain.text());
            assertFalse("without retain as published a live message has no retain flag", plain.message().isRetained());
            self.publish(base + "/state", "", 1, true); // clear it for the other tests
        }
    }

    @Test
    public void d_aClientIdConnectingToAnotherNodeTakesTheSessionOver() throws Exception {
        String clientId = unique("mover");
        String topic = unique("moving") + "/cmd";
        try (V5Client onA = new V5Client(CLUSTER.node(0).uri(), clientId);
                V5Client publisher = new V5Client(CLUSTER.node(2).uri(), unique("pub"))) {
            onA.connect(persistent());
            onA.subscribe(V5Client.sub(topic, 1));
            publisher.connect();
            awaitRouted(publisher, topic, onA);

            try (V5Client onB = new V5Client(CLUSTER.node(1).uri(), clientId)) {
                boolean present = onB.connect(persistent()).getSessionPresent();
                assertTrue("the session came along from node 1", present);
                MqttDisconnectResponse gone = onA.awaitDisconnect();
                assertEquals("node 1 closed its connection with 0x8E session taken over", 0x8E,
                        gone.getReturnCode());
                CLUSTER.node(0).awaitLogLine(l -> l.contains(clientId) && l.contains("another node"),
                        "names the client taken over by another node");

                publisher.publish(topic, "after-takeover", 1, false);
                assertEquals("the subscription moved with the session", "after-takeover", onB.next().text());

                // away: messages queue for the session on node 2, then it moves to node 3 with them
                onB.disconnect();
            }
            for (int i = 0; i < 5; i++) {
                publisher.publish(topic, "queued" + i, 1, false);
            }
            try (V5Client onC = new V5Client(CLUSTER.node(2).uri(), clientId)) {
                assertTrue(onC.connect(persistent()).getSessionPresent());
                for (int i = 0; i < 5; i++) {
                    assertEquals("queued" + i, onC.next().text());
                }
                assertNull(onC.poll(300));
            }
        }
    }

    @Test
    public void e_aNodeLeavesAndComesBackWhileTheOthersServe() throws Exception {
        BrokerProcess leaving = CLUSTER.node(2);
        String topic = unique("membership") + "/t";
        long[] joinedBefore = {joinedLines(CLUSTER.node(0)), joinedLines(CLUSTER.node(1))};
        leaving.stop();
        for (int node = 0; node < 2; node++) {
            CLUSTER.node(node).awaitLogLine(l -> l.contains(" left; 2 node(s)"), "says a node left");
            assertEquals(2.0, CLUSTER.node(node).metric("meridian_cluster_members "), 0);
        }
        try (V5Client subscriber = new V5Client(CLUSTER.node(1).uri(), unique("sub"));
                V5Client publisher = new V5Client(CLUSTER.node(0).uri(), unique("pub"))) {
            subscriber.connect();
            subscriber.subscribe(V5Client.sub(topic, 1));
            publisher.connect();
            awaitRouted(publisher, topic, subscriber);
        }
        leaving.start();
        for (int node = 0; node < 2; node++) {
            BrokerProcess n = CLUSTER.node(node);
            long before = joinedBefore[node];
            awaitUntil(() -> joinedLines(n) > before, "node " + (node + 1) + " says the third node joined again");
        }
        leaving.awaitLog("Cluster joined as node", Duration.ofSeconds(60));
        try (V5Client subscriber = new V5Client(leaving.uri(), unique("sub"));
                V5Client publisher = new V5Client(CLUSTER.node(0).uri(), unique("pub"))) {
            subscriber.connect();
            subscriber.subscribe(V5Client.sub(topic, 1));
            publisher.connect();
            awaitRouted(publisher, topic, subscriber);
        }
    }

    @Test
    public void f_aNodeCutOffFromTheMajorityRefusesClients() throws Exception {
        BrokerProcess alone = CLUSTER.node(0);
        CLUSTER.node(1).stop();
        CLUSTER.node(2).stop();
        alone.awaitLogLine(l -> l.contains("left; 1 node(s), fewer than min_cluster_size (2)"),
                "says it is below min_cluster_size");
        try (V5Client late = new V5Client(alone.uri(), unique("late"))) {
            org.eclipse.paho.mqttv5.common.MqttException refused = org.junit.Assert.assertThrows(
                    org.eclipse.paho.mqttv5.common.MqttException.class, late::connect);
            assertEquals("CONNACK 0x88 server unavailable", 0x88, refused.getReasonCode());
        }
        alone.awaitLogLine(l -> l.contains("refused: this node is cut off from the majority"),
                "names the refused client and why");
        java.net.http.HttpResponse<String> ready = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(alone.managementUri() + "/health/ready"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(ready.body(), 503, ready.statusCode());
        assertTrue(ready.body(), ready.body().contains("cut off from the majority"));
    }

    // ---- helpers ----

    private static long joinedLines(BrokerProcess node) {
        return node.log().lines().filter(l -> l.contains(" joined; 3 node(s)")).count();
    }

    /**
     * Publishes probes until one reaches {@code subscriber}: a new route takes a moment to reach
     * every node (then the order of what follows is kept), and the probes are drained.
     */
    private static void awaitRouted(V5Client publisher, String topic, V5Client subscriber) throws Exception {
        awaitUntil(() -> {
            publisher.publish(topic, "probe", 1, false);
            V5Client.Received r = subscriber.poll(200);
            return r != null;
        }, "a route to " + topic + " reaches the publisher's node");
        while (subscriber.poll(300) != null) {
            // late probes
        }
    }

    private static void drain(List<V5Client> clients) throws InterruptedException {
        for (V5Client c : clients) {
            while (c.poll(200) != null) {
                // probes
            }
        }
    }

    private static V5Client.Received nextSkipping(V5Client c, String probeTopic) throws InterruptedException {
        V5Client.Received r;
        do {
            r = c.next();
        } while (r.topic().equals(probeTopic));
        return r;
    }

    private static Mqtt5BlockingClient hiveMq(BrokerProcess node) {
        Mqtt5BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5()
                .identifier(unique("hivemq")).serverHost("127.0.0.1").serverPort(node.port()).buildBlocking();
        c.connect();
        return c;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(Check check, String what) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(check::holds);
    }
}
