package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.Rule;
import org.junit.Test;

/**
 * Nothing acknowledged is lost when the broker is killed (SIGKILL) and restarted, several times,
 * while Paho clients publish at QoS 1 and QoS 2 to persistent subscribers that are online and
 * offline: every acknowledged QoS 1 message arrives at least once, every acknowledged QoS 2
 * message exactly once (and no QoS 2 message twice), retained messages and subscriptions come
 * back, and an expired session is gone.
 */
public class CrashRecoveryTest {

    private static final int KILLS = 3;

    @Rule
    public final BrokerProcess broker = new BrokerProcess()
            // offline subscribers collect every message of the test; the default limit would drop some
            .withEtcFile("io.meridianmq.broker.cfg", "max_queued_messages = 1000000\nmax_queued_bytes = 0\n");

    /** A persistent (clean session false) Paho subscriber counting what arrives, by payload. */
    private final class Subscriber implements MqttCallback {
        final MqttClient client;
        final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        /** How each payload arrived (packet id, dup flag, connection number), to explain a duplicate. */
        final Map<String, List<String>> arrivals = new ConcurrentHashMap<>();
        /** Counts this subscriber's connections, so that an arrival names the one it came on. */
        final AtomicInteger connections = new AtomicInteger();

        Subscriber(String clientId) throws MqttException {
            client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
            client.setTimeToWait(10_000); // see Publisher: a connect racing a kill must not wait forever
            client.setCallback(this);
        }

        void connect() throws MqttException {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setCleanSession(false);
            o.setConnectionTimeout(10);
            o.setMaxInflight(1000);
            connections.incrementAndGet();
            client.connect(o);
        }

        int count(String payload) {
            AtomicInteger n = received.get(payload);
            return n == null ? 0 : n.get();
        }

        @Override
        public void connectionLost(Throwable cause) {
            // the broker was killed; the test reconnects once it is back
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
            received.computeIfAbsent(payload, k -> new AtomicInteger()).incrementAndGet();
            arrivals.computeIfAbsent(payload, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add("id " + message.getId() + (message.isDuplicate() ? " dup" : "") + " on connection "
                            + connections.get());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
    }

    /** Publishes numbered messages one after the other; records those the broker acknowledged. */
    private final class Publisher implements Runnable {
        final String name;
        final int qos;
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger failures = new AtomicInteger();
        private final Thread thread;

        Publisher(String name, int qos) {
            this.name = name;
            this.qos = qos;
            this.thread = new Thread(this, "publisher-" + name);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }

        @Override
        public void run() {
            int n = 0;
            MqttClient client = null;
            while (running.get()) {
                try {
                    if (client == null || !client.isConnected()) {
                        client = new MqttClient(broker.uri(), name, new MemoryPersistence());
                        // Paho can wait forever for a token when the connection dies in the middle of
                        // a CONNECT or PUBLISH (paho.mqtt.java #86, #1013): bound each wait, retry after
                        client.setTimeToWait(10_000);
                        MqttConnectOptions o = new MqttConnectOptions();
                        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
                        o.setCleanSession(true);
                        o.setConnectionTimeout(2);
                        client.connect(o);
                    }
                    String payload = name + "-" + n++;
                    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
                    m.setQos(qos);
                    client.publish("crash/q" + qos + "/" + name, m); // returns once PUBACK / PUBCOMP arrived
                    acknowledged.add(payload);
                } catch (MqttException e) {
                    // the broker is down (killed by the test): not acknowledged, so no promise; try again
                    failures.incrementAndGet();
                    closeQuietly(client);
                    client = null;
                    pause();
                }
            }
            closeQuietly(client);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100); // retry pacing while the broker restarts, not a wait for a result
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(MqttClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(100, 100);
            }
            client.close(true);
        } catch (MqttException ignored) {
            // already gone
        }
    }

    @Test
    public void acknowledgedMessagesSurviveRepeatedKills() throws Exception {
        // subscribers: two stay online (reconnecting after each restart), two are offline throughout
        Subscriber onlineQ1 = new Subscriber("online-q1");
        Subscriber onlineQ2 = new Subscriber("online-q2");
        Subscriber offlineQ1 = new Subscriber("offline-q1");
        Subscriber offlineQ2 = new Subscriber("offline-q2");
        for (Subscriber s : List.of(onlineQ1, offlineQ1)) {
            s.connect();
            s.client.subscribe("crash/q1/#", 1);
        }
        for (Subscriber s : List.of(onlineQ2, offlineQ2)) {
            s.connect();
            s.client.subscribe("crash/q2/#", 2);
        }
        offlineQ1.client.disconnect();
        offlineQ2.client.disconnect();

        // retained messages, and an MQTT 5 session that expires while the broker is down
        try (V5Client retainer = new V5Client(broker.uri(), "retainer")) {
            retainer.connect();
            for (int i = 0; i < 20; i++) {
                retainer.publish("crash/retained/" + i, "retained-" + i, 1, true);
            }
            retainer.disconnect();
        }
        try (V5Client shortLived = new V5Client(broker.uri(), "short-lived")) {
            MqttConnectionOptions o = V5Client.options();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(1L);
            shortLived.connect(o);
            shortLived.subscribe(V5Client.sub("crash/q1/#", 1));
            shortLived.disconnect();
        }

        Publisher q1 = new Publisher("pub-q1", 1);
        Publisher q2 = new Publisher("pub-q2", 2);
        q1.start();
        q2.start();
        for (int kill = 1; kill <= KILLS; kill++) {
            int before1 = q1.acknowledged.size();
            int before2 = q2.acknowledged.size();
            // let traffic flow, then kill the broker in the middle of it
            await("traffic before kill " + kill + " (q1 " + before1 + ", q2 " + before2 + " acknowledged so far)")
                    .atMost(Duration.ofSeconds(60)).until(() -> q1.acknowledged.size() >= before1 + 200
                    && q2.acknowledged.size() >= before2 + 100);
            broker.kill();
            broker.restart();
            for (Subscriber s : List.of(onlineQ1, onlineQ2)) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                    if (!s.client.isConnected()) {
                        s.connect();
                    }
                    return true;
                });
            }
        }
        // one more round of traffic after the last restart, then stop publishing
        int before1 = q1.acknowledged.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> q1.acknowledged.size() >= before1 + 100);
        q1.stop();
        q2.stop();
        assertTrue("the publishers noticed the kills", q1.failures.get() > 0 && q2.failures.get() > 0);

        offlineQ1.connect();
        offlineQ2.connect();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertEquals("acknowledged QoS 1 messages online-q1 lacks", Set.of(), missing(q1, onlineQ1));
            assertEquals("acknowledged QoS 1 messages offline-q1 lacks", Set.of(), missing(q1, offlineQ1));
            assertEquals("acknowledged QoS 2 messages online-q2 lacks", Set.of(), missing(q2, onlineQ2));
            assertEquals("acknowledged QoS 2 messages offline-q2 lacks", Set.of(), missing(q2, offlineQ2));
        });
        for (Subscriber s : List.of(onlineQ2, offlineQ2)) {
            // exactly once: a QoS 2 message never arrives twice, acknowledged or not
            List<String> twice = new ArrayList<>();
            s.received.forEach((payload, n) -> {
                if (n.get() > 1) {
                    twice.add(payload + " x" + n.get() + " " + s.arrivals.get(payload));
                }
            });
            assertTrue(s.client.getClientId() + " got QoS 2 messages more than once: " + twice, twice.isEmpty());
        }

        // retained messages are back, and the session that expired while the broker was down is gone
        try (V5Client checker = new V5Client(broker.uri(), "retained-checker")) {
            checker.connect();
            checker.subscribe(V5Client.sub("crash/retained/#", 1));
            Set<String> retained = new TreeSet<>();
            for (int i = 0; i < 20; i++) {
                retained.add(checker.next().text());
            }
            assertEquals(20, retained.size());
        }
        try (V5Client shortLived = new V5Client(broker.uri(), "short-lived")) {
            MqttConnectionOptions o = V5Client.options();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
            assertFalse("the expired session is gone", shortLived.connect(o).getSessionPresent());
        }
        assertTrue(broker.log(), broker.log().contains("persistent session(s) restored"));
        for (Subscriber s : List.of(onlineQ1, onlineQ2, offlineQ1, offlineQ2)) {
            s.client.disconnect();
            s.client.close();
        }
    }

    @Test
    public void aDelayedWillSurvivesAKillAndIsSentWhenDue() throws Exception {
        V5Client dying = new V5Client(broker.uri(), "dying-device");
        MqttConnectionOptions o = V5Client.options();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(120L);
        org.eclipse.paho.mqttv5.common.packet.MqttProperties will = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        will.setWillDelayInterval(8L);
        o.setWillMessageProperties(will);
        // retained, so that it is seen whether it fires before or after the checker subscribes
        o.setWill("crash/will", V5Client.message("dying-device is gone", 1, true));
        dying.connect(o);
        dying.drop();
        broker.awaitLog("its will to 'crash/will' is sent in 8 s");
        dying.close();
        broker.kill();
        broker.restart();
        try (V5Client checker = new V5Client(broker.uri(), "will-checker")) {
            checker.connect();
            checker.subscribe(V5Client.sub("crash/will", 1));
            V5Client.Received got = checker.poll(30_000);
            assertTrue("the delayed will was kept across the kill and sent; broker log:\n" + broker.tail(), got != null);
            assertEquals("dying-device is gone", got.text());
        }
    }

    /** The acknowledged messages of {@code publisher} that {@code subscriber} has not received (yet). */
    private static Set<String> missing(Publisher publisher, Subscriber subscriber) {
        Set<String> missing = new TreeSet<>();
        for (String payload : publisher.acknowledged) {
            if (subscriber.count(payload) == 0) {
                missing.add(payload);
            }
        }
        return missing;
    }
}
