package io.meridianmq.e2e;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Malformed and hostile input, sent with a raw socket: each case ends that connection (or gets
 * the CONNACK return code the specification asks for), leaves one log line naming the client and
 * the reason, and the broker goes on serving a well-behaved Paho client connected throughout.
 */
public class MalformedInputTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.protocol.cfg", "max_packet_size = 16777216\nconnect_timeout = 2\n");

    private static MqttClient bystander;
    private static Received bystanderReceived;
    private static int round;

    @BeforeClass
    public static void connectBystander() throws Exception {
        bystander = new MqttClient(BROKER.uri(), "bystander", new MemoryPersistence());
        bystanderReceived = new Received();
        bystander.setCallback(bystanderReceived);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        bystander.connect(o);
        bystander.subscribe("bystander/echo", 1);
    }

    @AfterClass
    public static void disconnectBystander() throws Exception {
        if (bystander.isConnected()) {
            bystander.disconnect(0);
        }
        bystander.close(true);
    }

    /** After every case: the client that was connected all along still gets its messages. */
    @After
    public void brokerStillServesOthers() throws Exception {
        assertTrue("a well-behaved client must stay connected", bystander.isConnected());
        String payload = "still here " + (++round);
        bystander.publish("bystander/echo", new MqttMessage(payload.getBytes(StandardCharsets.UTF_8)));
        assertEquals(payload, bystanderReceived.next().payload());
    }

    /** Expects the broker to have closed {@code raw} and logged a line naming it with {@code reason}. */
    private static void assertClosedAndLogged(RawMqttSocket raw, String reason) throws Exception {
        assertTrue("the broker must close the connection", raw.awaitClosed());
        String who = "127.0.0.1:" + raw.localPort();
        java.util.regex.Pattern named = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(who) + "\\b");
        BROKER.awaitLogLine(line -> named.matcher(line).find() && line.contains(reason),
                "names " + who + " with '" + reason + "'");
    }

    @Test
    public void garbageBytes() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertClosedAndLogged(raw, "malformed packet");
        }
    }

    @Test
    public void reservedPacketTypeZero() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(0x00, 0x00);
            assertClosedAndLogged(raw, "reserved packet type 0");
        }
    }

    @Test
    public void wrongProtocolNameIsNotMqtt() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("MQTX", 4, 0x02, "wrong-name"));
            assertClosedAndLogged(raw, "not an MQTT connection");
        }
    }

    @Test
    public void unsupportedProtocolLevelGetsReturnCode1() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("MQTT", 9, 0x02, "level-9"));
            byte[] connack = raw.readPacket();
            assertNotNull("a CONNACK is expected", connack);
            assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x01}, connack);
            assertClosedAndLogged(raw, "CONNACK return code 0x01");
        }
    }

    @Test
    public void emptyClientIdWithoutCleanSessionGetsReturnCode2() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("MQTT", 4, 0x00, ""));
            byte[] connack = raw.readPacket();
            assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x02}, connack);
            assertClosedAndLogged(raw, "CONNACK return code 0x02");
        }
    }

    @Test
    public void reservedConnectFlagSet() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("MQTT", 4, 0x03, "reserved-flag"));
            assertClosedAndLogged(raw, "malformed packet");
        }
    }

    @Test
    public void packetBeforeConnect() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.publish(0x30, "a/b".getBytes(StandardCharsets.UTF_8), 0, "early"));
            assertClosedAndLogged(raw, "PUBLISH before CONNECT");
        }
    }

    @Test
    public void reservedFixedHeaderFlagBits() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("flags-ping"));
            assertEquals(0x20, raw.readPacket()[0]);
            raw.send(0xC1, 0x00); // PINGREQ with a reserved bit set
            assertClosedAndLogged(raw, "PINGREQ with reserved flag bits");
        }
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("flags-sub"));
            assertEquals(0x20, raw.readPacket()[0]);
            raw.send(RawMqttSocket.subscribe(0x80, 1, "a/b", 0)); // SUBSCRIBE must be 0x82
            assertClosedAndLogged(raw, "SUBSCRIBE with reserved flag bits");
        }
    }

    @Test
    public void publishWithQos3() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("qos3"));
            assertEquals(0x20, raw.readPacket()[0]);
            raw.send(RawMqttSocket.publish(0x36, "a/b".getBytes(StandardCharsets.UTF_8), 1, "x"));
            assertClosedAndLogged(raw, "PUBLISH with QoS 3");
        }
    }

    @Test
    public void remainingLengthLongerThanFourBytes() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("long-length"));
            assertEquals(0x20, raw.readPacket()[0]);
            raw.send(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
            assertClosedAndLogged(raw, "remaining length encoded in more than 4 bytes");
        }
    }

    @Test
    public void packetLargerThanMaxPacketSize() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("too-large"));
            assertEquals(0x20, raw.readPacket()[0]);
            // announces 100 MB; the broker must refuse before reading (or buffering) any of it
            raw.send(0x30, 0x80, 0x80, 0xD0, 0x2F);
            assertClosedAndLogged(raw, "exceeds max_packet_size");
        }
    }

    @Test
    public void secondConnect() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("twice"));
            assertEquals(0x20, raw.readPacket()[0]);
            raw.send(RawMqttSocket.connect("twice"));
            assertClosedAndLogged(raw, "second CONNECT");
        }
    }

    @Test
    public void invalidUtf8Topic() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("bad-utf8"));
            assertEquals(0x20, raw.readPacket()[0]);
            raw.send(RawMqttSocket.publish(0x30, new byte[] {'a', '/', (byte) 0xC3, 0x28}, 0, "x"));
            assertClosedAndLogged(raw, "malformed packet");
        }
    }

    @Test
    public void wildcardInPublishTopic() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("wildcard-publish"));
            assertEquals(0x20, raw.readPacket()[0]);
            raw.send(RawMqttSocket.publish(0x32, "a/+/c".getBytes(StandardCharsets.UTF_8), 7, "x"));
            assertClosedAndLogged(raw, "wildcard");
        }
    }

    @Test
    public void clientThatNeverSendsConnectIsClosed() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            // sends nothing; the broker's connect_timeout (2 s here) closes it
            assertClosedAndLogged(raw, "no complete CONNECT within connect_timeout");
        }
    }

    @Test
    public void invalidSubscriptionFilterIsRefusedInSuback() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect("bad-filter"));
            assertEquals(0x20, raw.readPacket()[0]);
            raw.send(RawMqttSocket.subscribe(0x82, 5, "a/#/b", 1));
            byte[] suback = raw.readPacket();
            assertArrayEquals("SUBACK with return code 0x80", new byte[] {(byte) 0x90, 0x03, 0x00, 0x05, (byte) 0x80},
                    suback);
            BROKER.awaitLog("invalid topic filter 'a/#/b'", Duration.ofSeconds(10));
        }
    }
}
