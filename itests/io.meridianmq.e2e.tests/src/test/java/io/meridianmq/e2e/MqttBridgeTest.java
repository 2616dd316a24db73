package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The MQTT bridge against a real Mosquitto (Debian's, started by the test): Meridian bridges
 * {@code sensors/#} out and {@code commands/#} in, with the remote side under {@code site-a/}, at
 * QoS 1 and 2; {@code loop/#} both ways without a message coming back (Mosquitto's side is MQTT
 * 3.1.1, no no-local); the state on {@code $SYS/broker/connection/central/state} on both sides;
 * Mosquitto stopped and started again during QoS 1 traffic (every message Meridian acknowledged
 * arrives); a bridge added, changed and removed by its file while the broker runs; a second bridge
 * at once, over TLS with a client certificate (MQTT 5); and the other way round, a Mosquitto bridge
 * with its defaults (try_private: the bridge bit in CONNECT) connecting in, both ways without a
 * loop. Clients: Paho, mosquitto_pub.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class MqttBridgeTest {

    private static MosquittoBroker remote;
    private static BrokerProcess meridian;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static java.nio.file.Path certificates;
    private static int tlsPort;

    @BeforeClass
    public static void start() throws Exception {
        certificates = java.nio.file.Files.createTempDirectory("bridge-tls-");
        TestCertificates.caAndServer(certificates);
        TestCertificates.client(certificates, "site-a", "site-a");
        tlsPort = BrokerProcess.freePort();
        // a second listener: TLS with client certificates signed by the test CA
        remote = new MosquittoBroker("listener " + tlsPort + " 127.0.0.1\ncafile " + certificates.resolve("ca.pem")
                + "\ncertfile " + certificates.resolve("server.pem") + "\nkeyfile " + certificates.resolve("server.key")
                + "\nrequire_certificate true\n").start();
        meridian = new BrokerProcess().withFeature("meridian-bridge-mqtt")
                .withEtcFile("io.meridianmq.bridge-central.cfg", bridgeFile(""));
        meridian.start();
        meridian.awaitLog("Bridge 'central' connected to 127.0.0.1:" + remote.port, Duration.ofSeconds(60));
    }

    private static String bridgeFile(String more) {
        return "address = 127.0.0.1:" + remote.port + "\n"
                + "topic = sensors/# out 1 \"\" site-a/\n"
                + "topic.2 = commands/# in 2 \"\" site-a/\n"
                + "topic.3 = loop/# both 1\n"
                + "topic.4 = exact/# out 2 \"\" site-a/\n"
                + "remote_clientid = meridian-site-a-" + RUN + "\n"
                + "restart_timeout = 1 2\n" + more;
    }

    @AfterClass
    public static void stop() throws Exception {
        if (meridian != null) {
            meridian.stop();
        }
        if (remote != null) {
            remote.close();
        }
        if (certificates != null) {
            try (var files = java.nio.file.Files.walk(certificates)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A Paho 3.1.1 client on {@code uri} subscribed to {@code filter}. */
    private static MqttClient subscriber(String uri, String filter, int qos, Received into) throws Exception {
        MqttClient c = new MqttClient(uri, "sub-" + UUID.randomUUID(), new MemoryPersistence());
        c.setCallback(into);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        c.subscribe(filter, qos);
        return c;
    }

    private static MqttClient publisher(String uri) throws Exception {
        MqttClient c = new MqttClient(uri, "pub-" + UUID.randomUUID(), new MemoryPersistence());
        c.connect();
        return c;
    }

    private static MqttMessage message(String payload, int qos) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        return m;
    }

    @Test
    public void a_messagesCrossBothWaysWithTheirTopicsRemapped() throws Exception {
        Received onMosquitto = new Received();
        Received onMeridian = new Received();
        MqttClient remoteSub = subscriber(remote.uri(), "site-a/sensors/#", 2, onMosquitto);
        remoteSub.subscribe(new String[] {"site-a/exact/#", "site-a/other/#", "other/#"}, new int[] {2, 2, 2});
        MqttClient localSub = subscriber(meridian.uri(), "commands/#", 2, onMeridian);
        MqttClient localPub = publisher(meridian.uri());
        try {
            localPub.publish("sensors/t1", message("21.5", 1));
            Received.Message out = onMosquitto.next();
            assertEquals("site-a/sensors/t1", out.topic());
            assertEquals("21.5", out.payload());
            assertEquals(1, out.qos());

            localPub.publish("exact/valve", message("open", 2));
            Received.Message exact = onMosquitto.next();
            assertEquals("site-a/exact/valve", exact.topic());
            assertEquals(2, exact.qos());

            MosquittoCommand pub = MosquittoCommand.run(remote.port, "mosquitto_pub", "-t", "site-a/commands/door",
                    "-m", "close", "-q", "2");
            assertEquals(pub.output(), 0, pub.exitCode());
            Received.Message in = onMeridian.next();
            assertEquals("commands/door", in.topic());
            assertEquals("close", in.payload());
            assertEquals(2, in.qos());
            // what is not bridged stays where it was published
            localPub.publish("other/t", message("local only", 1));
            assertNull(onMosquitto.poll(500));
        } finally {
            for (MqttClient c : List.of(remoteSub, localSub, localPub)) {
                c.disconnect();
                c.close();
            }
        }
    }

    private static final String CHECK = "\"name\":\"io.meridianmq.bridge.mqtt bridge central\",\"status\":";

    @Test
    public void b_theBridgeStateIsPublishedOnBothSides() throws Exception {
        assertTrue(meridian.readiness(), meridian.readiness().contains(CHECK + "\"UP\""));
        Received here = new Received();
        Received there = new Received();
        MqttClient onMeridian = subscriber(meridian.uri(), "$SYS/broker/connection/central/state", 1, here);
        MqttClient onMosquitto = subscriber(remote.uri(), "$SYS/broker/connection/central/state", 1, there);
        try {
            Received.Message local = here.next();
            assertEquals("1", local.payload());
            assertTrue("retained", local.retained());
            assertEquals("1", there.next().payload());
        } finally {
            onMeridian.disconnect();
            onMosquitto.disconnect();
        }
    }

    @Test
    public void c_topicsBridgedBothWaysDoNotLoop() throws Exception {
        Received onMosquitto = new Received();
        Received onMeridian = new Received();
        MqttClient remoteSub = subscriber(remote.uri(), "loop/#", 1, onMosquitto);
        MqttClient localSub = subscriber(meridian.uri(), "loop/#", 1, onMeridian);
        MqttClient localPub = publisher(meridian.uri());
        MqttClient remotePub = publisher(remote.uri());
        try {
            localPub.publish("loop/from-meridian", message("m", 1));
            assertEquals("m", onMosquitto.next().payload());
            assertEquals("m", onMeridian.next().payload());
            remotePub.publish("loop/from-mosquitto", message("q", 1));
            assertEquals("q", onMeridian.next().payload());
            assertEquals("q", onMosquitto.next().payload());
            // once each: nothing came back round
            assertNull("nothing more on Meridian", onMeridian.poll(1000));
            assertNull("nothing more on Mosquitto", onMosquitto.poll(200));
        } finally {
            for (MqttClient c : List.of(remoteSub, localSub, localPub, remotePub)) {
                c.disconnect();
                c.close();
            }
        }
    }

    @Test
    public void d_everyAcknowledgedMessageArrivesWhenTheRemoteIsStoppedAndStartedAgain() throws Exception {
        PersistentSubscriber central = new PersistentSubscriber(remote.uri(), "central-" + RUN, null);
        central.connect();
        central.client.subscribe("site-a/sensors/load", 1);
        NumberedPublisher device = new NumberedPublisher(meridian.uri(), "device-" + RUN, "sensors/load", 1, 2);
        device.start();
        try {
            Awaitility.await("traffic through the bridge").atMost(Duration.ofSeconds(60))
                    .until(() -> device.acknowledged.size() >= 100);
            remote.stop();
            // the bridge's check says why it is down; the broker itself stays ready
            Awaitility.await("health shows the bridge down").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> meridian.readiness().contains(CHECK + "\"DOWN\""));
            String down = meridian.readiness();
            assertTrue(down, down.startsWith("{\"status\":\"UP\""));
            assertTrue(down, down.contains("connection to 127.0.0.1:" + remote.port + " failed"));
            int during = device.acknowledged.size() + 1000;
            // Meridian keeps acknowledging its publisher: the bridge's queue holds the messages
            Awaitility.await("traffic while the remote is away").atMost(Duration.ofSeconds(60))
                    .until(() -> device.acknowledged.size() >= during);
            remote.start();
            Awaitility.await("the subscriber is back").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                        central.reconnectIfLost();
                        return central.client.isConnected();
                    });
            int after = device.acknowledged.size() + 100;
            Awaitility.await("traffic after the remote came back").atMost(Duration.ofSeconds(60))
                    .until(() -> device.acknowledged.size() >= after);
        } finally {
            device.stop();
        }
        Set<String> acknowledged = Set.copyOf(device.acknowledged);
        try {
            Awaitility.await("every acknowledged message arrives").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).until(() -> central.missing(acknowledged).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException notAll) {
            // said below
        }
        assertTrue("lost through the bridge (" + central.missing(acknowledged).size() + " of " + acknowledged.size()
                + "): " + central.missing(acknowledged), central.missing(acknowledged).isEmpty());
        central.close();
    }

    @Test
    public void e_aBridgeFileChangedOrRemovedAppliesLive() throws Exception {
        meridian.editEtcFile("io.meridianmq.bridge-central.cfg", bridgeFile("topic.5 = alarms/# out 1 \"\" site-a/\n"),
                l -> l.contains("Bridge 'central' connected"), "reconnects the changed bridge");
        Received onMosquitto = new Received();
        MqttClient remoteSub = subscriber(remote.uri(), "site-a/alarms/#", 1, onMosquitto);
        MqttClient localPub = publisher(meridian.uri());
        try {
            Awaitility.await("the new topic line is bridged").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        localPub.publish("alarms/fire", message("drill", 1));
                        return onMosquitto.poll(200) != null;
                    });
            long stopsBefore = stops();
            java.nio.file.Files.delete(meridian.home().resolve("etc/io.meridianmq.bridge-central.cfg"));
            Awaitility.await("the removed bridge stops").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(() -> stops() > stopsBefore);
            while (onMosquitto.poll(300) != null) {
                // late copies of the probe
            }
            localPub.publish("alarms/fire", message("after the bridge went", 1));
            assertNull(onMosquitto.poll(1000));
        } finally {
            remoteSub.disconnect();
            localPub.disconnect();
        }
    }

    private static long stops() {
        return meridian.log().lines().filter(l -> l.contains("Bridge 'central' stopped")).count();
    }

    @Test
    public void g_aSecondBridgeOverTlsWithAClientCertificate() throws Exception {
        java.nio.file.Path file = meridian.home().resolve("etc/io.meridianmq.bridge-secure.cfg");
        String secure = "address = 127.0.0.1:" + tlsPort + "\nbridge_protocol_version = mqttv50\n"
                + "topic = secure/# out 1 \"\" tls/\n"
                + "bridge_cafile = " + certificates.resolve("server.pem") + "\n"
                + "bridge_certfile = " + certificates.resolve("site-a.pem") + "\n"
                + "bridge_keyfile = " + certificates.resolve("site-a.key") + "\n"
                + "remote_clientid = secure-" + RUN + "\nrestart_timeout = 1 2\n";
        java.nio.file.Files.writeString(file, secure);
        meridian.awaitLog("Bridge 'secure' connected to 127.0.0.1:" + tlsPort, Duration.ofSeconds(30));
        Received onMosquitto = new Received();
        MqttClient remoteSub = subscriber(remote.uri(), "tls/#", 1, onMosquitto);
        MqttClient localPub = publisher(meridian.uri());
        try {
            localPub.publish("secure/vault", message("over TLS", 1));
            Received.Message m = onMosquitto.next();
            assertEquals("tls/secure/vault", m.topic());
            assertEquals("over TLS", m.payload());
        } finally {
            remoteSub.disconnect();
            localPub.disconnect();
        }
        // without its client certificate the bridge is refused, and says so
        java.nio.file.Files.writeString(file, secure.replace("bridge_certfile", "# bridge_certfile")
                .replace("bridge_keyfile", "# bridge_keyfile"));
        meridian.awaitLogLine(l -> l.contains("Bridge 'secure': connection to 127.0.0.1:" + tlsPort + " failed"),
                "says the bridge without a certificate was refused");
        java.nio.file.Files.delete(file);
    }

    @Test
    public void h_aMosquittoBridgeConnectsInAsABridge() throws Exception {
        // a regional Mosquitto bridging to this Meridian with Mosquitto's defaults (try_private: the bridge bit)
        try (MosquittoBroker regional = new MosquittoBroker("connection regional-" + RUN + "\naddress 127.0.0.1:"
                + meridian.port() + "\ntopic region/# both 1\nrestart_timeout 1 2\n").start()) {
            meridian.awaitLogLine(l -> l.contains("regional-" + RUN) && l.contains("connected (MQTT 3.1.1, bridge"),
                    "accepts the Mosquitto bridge as a bridge");
            Received onMosquitto = new Received();
            Received onMeridian = new Received();
            MqttClient regionalSub = subscriber(regional.uri(), "region/#", 1, onMosquitto);
            MqttClient localSub = subscriber(meridian.uri(), "region/#", 1, onMeridian);
            MqttClient localPub = publisher(meridian.uri());
            MqttClient regionalPub = publisher(regional.uri());
            try {
                // the bridge subscribes once it is connected: publish until the first crosses
                Awaitility.await("the Mosquitto bridge's subscription is in place").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200)).until(() -> {
                            localPub.publish("region/probe", message("probe", 1));
                            return onMosquitto.poll(200) != null;
                        });
                while (onMosquitto.poll(300) != null || onMeridian.poll(10) != null) {
                    // the probes' copies
                }
                localPub.publish("region/from-meridian", message("down", 1));
                assertEquals("down", onMosquitto.next().payload());
                assertEquals("down", onMeridian.next().payload());
                regionalPub.publish("region/from-mosquitto", message("up", 1));
                assertEquals("up", onMeridian.next().payload());
                assertEquals("up", onMosquitto.next().payload());
                assertNull("nothing came back to Meridian", onMeridian.poll(1000));
                assertNull("nothing came back to Mosquitto", onMosquitto.poll(200));
            } finally {
                for (MqttClient c : List.of(regionalSub, localSub, localPub, regionalPub)) {
                    c.disconnect();
                    c.close();
                }
            }
        }
    }

    @Test
    public void f_badSettingsAreRefusedWithALineNamingTheKey() throws Exception {
        java.nio.file.Path file = meridian.home().resolve("etc/io.meridianmq.bridge-broken.cfg");
        java.nio.file.Files.writeString(file, "address = 127.0.0.1:" + remote.port + "\ntopic = sensors/# sideways 1\n");
        meridian.awaitLog("Bridge 'broken' not started", Duration.ofSeconds(30));
        assertTrue(meridian.log(), meridian.log().contains("the direction is out, in or both, not 'sideways'"));
        java.nio.file.Files.delete(file);
    }
}
