package io.meridianmq.e2e;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttPingSender;
import org.eclipse.paho.client.mqttv3.internal.ClientComms;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;

/**
 * MQTT 3.1.1 and 3.1 behaviour of the real distribution, driven by Eclipse Paho (v3 client).
 * One broker serves the whole class; every test uses its own client ids and topics.
 */
public class PahoMqtt3Test {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    @Rule
    public final TestName name = new TestName();

    private final List<MqttClient> clients = new ArrayList<>();

    @After
    public void closeClients() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnect(0);
                }
                c.close(true);
            } catch (MqttException e) {
                // already gone
            }
        }
    }

    private String id(String suffix) {
        return name.getMethodName() + "-" + suffix;
    }

    private String topic(String suffix) {
        return "t/" + name.getMethodName() + "/" + suffix;
    }

    private MqttClient client(String clientId) throws MqttException {
        MqttClient c = new MqttClient(BROKER.uri(), clientId, new MemoryPersistence());
        clients.add(c);
        return c;
    }

    private static MqttConnectOptions options(boolean cleanSession) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(cleanSession);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        o.setMaxInflight(1000);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return o;
    }

    private Received connect(MqttClient c, MqttConnectOptions o) throws MqttException {
        Received r = new Received();
        c.setCallback(r);
        c.connect(o);
        return r;
    }

    private Received connect(MqttClient c) throws MqttException {
        return connect(c, options(true));
    }

    private static MqttMessage message(String payload, int qos, boolean retained) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        m.setRetained(retained);
        return m;
    }

    @Test
    public void qos0And1And2InBothDirections() throws Exception {
        for (int qos = 0; qos <= 2; qos++) {
            MqttClient sub = client(id("sub" + qos));
            Received received = connect(sub);
            sub.subscribe(topic("q" + qos), qos);
            MqttClient pub = client(id("pub" + qos));
            connect(pub);
            pub.publish(topic("q" + qos), message("hello " + qos, qos, false));
            Received.Message m = received.next();
            assertEquals(topic("q" + qos), m.topic());
            assertEquals("hello " + qos, m.payload());
            assertEquals(qos, m.qos());
            assertFalse(m.retained());
        }
    }

    @Test
    public void manyQos1MessagesArriveInOrder() throws Exception {
        MqttClient sub = client(id("sub"));
        Received received = connect(sub);
        sub.subscribe(topic("#"), 1);
        MqttClient pub = client(id("pub"));
        connect(pub);
        for (int i = 0; i < 200; i++) {
            pub.publish(topic("n"), message("m" + i, 1, false));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals("m" + i, received.next().payload());
        }
    }

    @Test
    public void deliveryQosIsDowngradedToTheSubscriptionQos() throws Exception {
        MqttClient sub = client(id("sub"));
        Received received = connect(sub);
        sub.subscribe(topic("a"), 1);
        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish(topic("a"), message("two", 2, false));
        assertEquals(1, received.next().qos());

        MqttClient sub0 = client(id("sub0"));
        Received received0 = connect(sub0);
        sub0.subscribe(topic("b"), 0);
        pub.publish(topic("b"), message("one", 1, false));
        assertEquals(0, received0.next().qos());

        MqttClient sub2 = client(id("sub2"));
        Received received2 = connect(sub2);
        sub2.subscribe(topic("c"), 2);
        pub.publish(topic("c"), message("zero", 0, false));
        assertEquals("a subscription's QoS is a maximum, not an upgrade", 0, received2.next().qos());
    }

    @Test
    public void retainedMessagesAreSetReplacedClearedAndDeliveredOnSubscribe() throws Exception {
        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish(topic("r"), message("first", 1, true));
        pub.publish(topic("r"), message("second", 1, true));

        MqttClient sub = client(id("sub"));
        Received received = connect(sub);
        sub.subscribe(topic("+"), 2);
        Received.Message m = received.next();
        assertEquals("second", m.payload());
        assertTrue("a retained message delivered on subscribe has the retain flag", m.retained());
        assertEquals(1, m.qos());

        // a retained publish to an existing subscriber arrives without the retain flag
        pub.publish(topic("r"), message("third", 1, true));
        Received.Message live = received.next();
        assertEquals("third", live.payload());
        assertFalse(live.retained());

        // an empty retained message clears it
        pub.publish(topic("r"), message("", 1, true));
        assertEquals("", received.next().payload());
        MqttClient late = client(id("late"));
        Received lateReceived = connect(late);
        late.subscribe(topic("+"), 1);
        pub.publish(topic("marker"), message("marker", 1, false));
        assertEquals("nothing retained is left, so the marker comes first", "marker", lateReceived.next().payload());
    }

    @Test
    public void resubscribingSendsRetainedMessagesAgain() throws Exception {
        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish(topic("r"), message("kept", 0, true));
        MqttClient sub = client(id("sub"));
        Received received = connect(sub);
        sub.subscribe(topic("r"), 0);
        assertEquals("kept", received.next().payload());
        sub.subscribe(topic("r"), 1);
        Received.Message again = received.next();
        assertEquals("kept", again.payload());
        assertTrue(again.retained());
    }

    @Test
    public void willIsPublishedWhenTheConnectionIsLostWithoutDisconnect() throws Exception {
        MqttClient watcher = client(id("watcher"));
        Received wills = connect(watcher);
        watcher.subscribe(topic("will"), 1);

        MqttClient dying = client(id("dying"));
        MqttConnectOptions o = options(true);
        o.setWill(topic("will"), "gone".getBytes(StandardCharsets.UTF_8), 1, false);
        connect(dying, o);
        dying.disconnectForcibly(0, 1000, false); // closes the socket without DISCONNECT

        Received.Message will = wills.next();
        assertEquals("gone", will.payload());
        assertEquals(1, will.qos());
    }

    @Test
    public void willIsPublishedWhenKeepAliveExpires() throws Exception {
        MqttClient watcher = client(id("watcher"));
        Received wills = connect(watcher);
        watcher.subscribe(topic("will"), 0);

        // a Paho client whose pings are switched off: it goes silent but keeps the socket open
        MqttAsyncClient silent = new MqttAsyncClient(BROKER.uri(), id("silent"), new MemoryPersistence(),
                new SilentPingSender(), null);
        try {
            MqttConnectOptions o = options(true);
            o.setKeepAliveInterval(1);
            o.setWill(topic("will"), "timed out".getBytes(StandardCharsets.UTF_8), 0, false);
            Received silentEvents = new Received();
            silent.setCallback(silentEvents);
            silent.connect(o).waitForCompletion(10_000);

            assertEquals("timed out", wills.next().payload());
            silentEvents.awaitLost();
            BROKER.awaitLog("'" + id("silent") + "'");
            BROKER.awaitLog("keep-alive timeout");
        } finally {
            try {
                silent.close(true);
            } catch (MqttException e) {
                // the broker already closed it
            }
        }
    }

    @Test
    public void willIsNotPublishedAfterDisconnect() throws Exception {
        MqttClient watcher = client(id("watcher"));
        Received wills = connect(watcher);
        watcher.subscribe(topic("will"), 1);

        MqttClient polite = client(id("polite"));
        MqttConnectOptions o = options(true);
        o.setWill(topic("will"), "should not appear".getBytes(StandardCharsets.UTF_8), 1, false);
        connect(polite, o);
        polite.disconnect();
        awaitDisconnectLogged(id("polite"));

        MqttClient other = client(id("other"));
        connect(other);
        other.publish(topic("will"), message("marker", 1, false));
        assertEquals("marker", wills.next().payload());
    }

    private static void awaitDisconnectLogged(String clientId) throws InterruptedException {
        BROKER.awaitLogLine(line -> line.contains("'" + clientId + "'") && line.contains("disconnected"),
                "says that " + clientId + " disconnected");
    }

    @Test
    public void persistentSessionQueuesQos1And2WhileOfflineAndIsResumed() throws Exception {
        MqttClient sub = client(id("sub"));
        connect(sub, options(false));
        sub.subscribe(topic("q"), 2);
        sub.disconnect();

        MqttClient pub = client(id("pub"));
        connect(pub);
        for (int i = 0; i < 10; i++) {
            pub.publish(topic("q"), message("offline " + i, 1 + (i % 2), false));
        }
        pub.publish(topic("q"), message("qos0 is not queued", 0, false));

        MqttClient again = client(id("sub"));
        Received received = new Received();
        again.setCallback(received);
        again.connect(options(false));
        // Paho hands a QoS 2 message to the application only after PUBREL, so QoS 1 messages may
        // overtake QoS 2 ones on the way in; within each QoS the order is kept.
        List<String> qos1 = new ArrayList<>();
        List<String> qos2 = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Received.Message m = received.next();
            (m.qos() == 1 ? qos1 : qos2).add(m.payload());
        }
        assertEquals(List.of("offline 0", "offline 2", "offline 4", "offline 6", "offline 8"), qos1);
        assertEquals(List.of("offline 1", "offline 3", "offline 5", "offline 7", "offline 9"), qos2);
        pub.publish(topic("q"), message("live", 0, false));
        assertEquals("live", received.next().payload());
    }

    @Test
    public void sessionPresentFlagTellsWhetherTheSessionWasResumed() throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(BROKER.uri(), id("c"), new MemoryPersistence());
        try {
            c.connect(options(false)).waitForCompletion(10_000);
            c.disconnect().waitForCompletion(10_000);
            org.eclipse.paho.client.mqttv3.IMqttToken t = c.connect(options(false));
            t.waitForCompletion(10_000);
            assertTrue("a persistent session is present on reconnect", t.getSessionPresent());
            c.disconnect().waitForCompletion(10_000);
            t = c.connect(options(true));
            t.waitForCompletion(10_000);
            assertFalse("clean session never resumes", t.getSessionPresent());
            c.disconnect().waitForCompletion(10_000);
        } finally {
            c.close(true);
        }
    }

    @Test
    public void unacknowledgedMessagesAreRedeliveredWithDupOnReconnect() throws Exception {
        MqttClient sub = client(id("sub"));
        sub.setManualAcks(true); // receive, but never PUBACK
        Received first = connect(sub, options(false));
        sub.subscribe(topic("q"), 1);
        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish(topic("q"), message("ack me", 1, false));
        Received.Message m = first.next();
        assertFalse(m.duplicate());
        sub.disconnectForcibly(0, 1000, false);

        MqttClient again = client(id("sub"));
        Received second = connect(again, options(false));
        Received.Message redelivered = second.next();
        assertEquals("ack me", redelivered.payload());
        assertTrue("a redelivered PUBLISH carries DUP", redelivered.duplicate());
        assertEquals(1, redelivered.qos());
    }

    @Test
    public void emptyClientIdWithCleanSessionGetsAnAssignedId() throws Exception {
        MqttClient anonymous = client("");
        Received received = connect(anonymous);
        anonymous.subscribe(topic("x"), 1);
        anonymous.publish(topic("x"), message("self", 1, false));
        assertEquals("self", received.next().payload());
        BROKER.awaitLog("'meridian-");
    }

    @Test
    public void aSecondConnectionWithTheSameClientIdTakesOver() throws Exception {
        MqttClient first = client(id("same"));
        Received firstEvents = connect(first, options(false));
        first.subscribe(topic("q"), 1);

        MqttClient second = client(id("same"));
        Received secondEvents = connect(second, options(false));
        firstEvents.awaitLost();
        assertTrue(second.isConnected());

        // the session (and its subscription) moved to the new connection
        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish(topic("q"), message("to the new one", 1, false));
        assertEquals("to the new one", secondEvents.next().payload());
        BROKER.awaitLog("session taken over");
    }

    @Test
    public void wildcardsMatchAsSpecified() throws Exception {
        MqttClient sub = client(id("sub"));
        Received received = connect(sub);
        sub.subscribe(new String[] {topic("+/temp"), topic("house/#")}, new int[] {1, 1});
        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish(topic("kitchen/temp"), message("1", 1, false)); // + matches
        pub.publish(topic("kitchen/temp/x"), message("no", 1, false)); // + is one level only
        pub.publish(topic("house"), message("2", 1, false)); // # matches the parent too
        pub.publish(topic("house/a/b/c"), message("3", 1, false)); // # matches all below
        pub.publish(topic("end"), message("end", 1, false));
        sub.subscribe(topic("end"), 1);
        pub.publish(topic("end"), message("end", 1, false));
        Set<String> got = new HashSet<>();
        for (Received.Message m; !(m = received.next()).payload().equals("end");) {
            got.add(m.payload());
        }
        assertEquals(Set.of("1", "2", "3"), got);
    }

    @Test
    public void dollarTopicsAreNotMatchedByFirstLevelWildcards() throws Exception {
        MqttClient sub = client(id("sub"));
        Received received = connect(sub);
        sub.subscribe(new String[] {"#", "+/" + name.getMethodName()}, new int[] {1, 1});
        MqttClient dollarSub = client(id("dollar"));
        Received dollarReceived = connect(dollarSub);
        dollarSub.subscribe("$" + name.getMethodName() + "/#", 1);

        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish("$" + name.getMethodName() + "/x", message("dollar", 1, false));
        assertEquals("dollar", dollarReceived.next().payload());
        pub.publish(topic("plain"), message("plain", 1, false));
        Received.Message first;
        do {
            first = received.next(); // '#' sees other tests' traffic too; skip it
        } while (!first.topic().contains(name.getMethodName()));
        assertEquals("'#' must not match a topic starting with $", "plain", first.payload());
    }

    @Test
    public void overlappingSubscriptionsDeliverOnceAtTheHighestQos() throws Exception {
        MqttClient sub = client(id("sub"));
        Received received = connect(sub);
        sub.subscribe(new String[] {topic("a/+"), topic("a/#"), topic("a/b")}, new int[] {0, 2, 1});
        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish(topic("a/b"), message("once", 2, false));
        pub.publish(topic("a/end"), message("end", 2, false)); // same QoS, so Paho keeps the order
        Received.Message m = received.next();
        assertEquals("once", m.payload());
        assertEquals(2, m.qos());
        assertEquals("end", received.next().payload());
    }

    @Test
    public void unsubscribeStopsDelivery() throws Exception {
        MqttClient sub = client(id("sub"));
        Received received = connect(sub);
        sub.subscribe(new String[] {topic("a"), topic("b")}, new int[] {1, 1});
        MqttClient pub = client(id("pub"));
        connect(pub);
        pub.publish(topic("a"), message("a1", 1, false));
        assertEquals("a1", received.next().payload());
        sub.unsubscribe(topic("a"));
        pub.publish(topic("a"), message("a2", 1, false));
        pub.publish(topic("b"), message("b1", 1, false));
        assertEquals("b1", received.next().payload());
        assertNull(received.poll(0));
    }

    @Test
    public void mqtt31ClientsAreAccepted() throws Exception {
        MqttConnectOptions o = options(true);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
        MqttClient sub = client("s31"); // MQTT 3.1 allows at most 23 characters
        Received received = connect(sub, o);
        sub.subscribe(topic("x"), 2);
        MqttClient pub = client("p31");
        connect(pub, o);
        pub.publish(topic("x"), message("MQIsdp", 2, false));
        Received.Message m = received.next();
        assertEquals("MQIsdp", m.payload());
        assertEquals(2, m.qos());
        BROKER.awaitLog("'s31' (127.0.0.1:");
        assertTrue(BROKER.log().contains("MQTT 3.1,"));
    }

    @Test
    public void binaryPayloadsArriveUnchanged() throws Exception {
        MqttClient sub = client(id("sub"));
        Received received = new Received();
        byte[][] got = new byte[1][];
        sub.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                got[0] = message.getPayload();
                received.messageArrived(topic, message);
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        sub.connect(options(true));
        sub.subscribe(topic("bin"), 1);
        byte[] payload = new byte[70_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        MqttClient pub = client(id("pub"));
        connect(pub);
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        pub.publish(topic("bin"), m);
        received.next();
        assertArrayEquals(payload, got[0]);
    }

    /** A ping sender that never pings: the client falls silent, as a frozen device would. */
    static final class SilentPingSender implements MqttPingSender {
        @Override
        public void init(ClientComms comms) {
        }

        @Override
        public void start() {
        }

        @Override
        public void stop() {
        }

        @Override
        public void schedule(long delayInMilliseconds) {
        }
    }
}
