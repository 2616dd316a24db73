package io.meridianmq.e2e;

import static io.meridianmq.e2e.RawMqttSocket.bytes;
import static io.meridianmq.e2e.RawMqttSocket.concat;
import static io.meridianmq.e2e.RawMqttSocket.stringProperty;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Malformed and rule-breaking MQTT 5.0 packets over a raw socket: each gets the reason code the
 * specification gives (CONNACK before the connection is accepted, DISCONNECT after), the
 * connection is closed, and an MQTT 5 Paho client connected throughout keeps working.
 */
public class Mqtt5MalformedInputTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private static V5Client bystander;
    private static int round;

    @BeforeClass
    public static void connectBystander() throws Exception {
        bystander = new V5Client(BROKER.uri(), "v5-bystander");
        bystander.connect();
        bystander.subscribe(V5Client.sub("bystander/echo", 1));
    }

    @AfterClass
    public static void disconnectBystander() {
        bystander.close();
    }

    @After
    public void brokerStillServesOthers() throws Exception {
        assertTrue(bystander.paho.isConnected());
        String payload = "still here " + (++round);
        bystander.publish("bystander/echo", payload, 1, false);
        assertEquals(payload, bystander.next().text());
    }

    private static RawMqttSocket connected(String clientId) throws Exception {
        RawMqttSocket raw = new RawMqttSocket(BROKER.port());
        raw.send(RawMqttSocket.connect5(clientId, new byte[0]));
        assertEquals("CONNACK success", 0, raw.connackReason());
        return raw;
    }

    private static void expectDisconnect(RawMqttSocket raw, int reason) throws Exception {
        assertEquals(String.format("DISCONNECT reason 0x%02X", reason), reason, raw.awaitDisconnectReason());
        assertTrue(raw.awaitClosed());
    }

    @Test
    public void unknownPropertyIdIsMalformed() throws Exception {
        try (RawMqttSocket raw = connected("v5-unknown-prop")) {
            raw.send(RawMqttSocket.publish5(0x30, "a/b", 0, bytes(0x7F, 0x00), "x"));
            expectDisconnect(raw, 0x81);
        }
    }

    @Test
    public void repeatedPropertyIsAProtocolError() throws Exception {
        try (RawMqttSocket raw = connected("v5-dup-prop")) {
            byte[] twice = concat(stringProperty(0x03, "text/plain"), stringProperty(0x03, "text/html"));
            raw.send(RawMqttSocket.publish5(0x32, "a/b", 1, twice, "x"));
            expectDisconnect(raw, 0x82);
        }
        BROKER.awaitLog("repeats property 3");
    }

    @Test
    public void propertyInTheWrongPacketIsMalformed() throws Exception {
        try (RawMqttSocket raw = connected("v5-wrong-prop")) {
            // session expiry interval (0x11) belongs to CONNECT and DISCONNECT, not PUBLISH
            raw.send(RawMqttSocket.publish5(0x30, "a/b", 0, bytes(0x11, 0, 0, 0, 10), "x"));
            expectDisconnect(raw, 0x81);
        }
    }

    @Test
    public void badVariableByteIntegerIsMalformed() throws Exception {
        try (RawMqttSocket raw = connected("v5-bad-vbi")) {
            raw.send(0x30, 0x80, 0x80, 0x80, 0x80, 0x01);
            expectDisconnect(raw, 0x81);
        }
    }

    @Test
    public void topicAliasZeroIsInvalid() throws Exception {
        try (RawMqttSocket raw = connected("v5-alias-0")) {
            raw.send(RawMqttSocket.publish5(0x30, "a/b", 0, bytes(0x23, 0x00, 0x00), "x"));
            expectDisconnect(raw, 0x94);
        }
    }

    @Test
    public void topicAliasAboveTheMaximumIsInvalid() throws Exception {
        try (RawMqttSocket raw = connected("v5-alias-11")) {
            raw.send(RawMqttSocket.publish5(0x30, "a/b", 0, bytes(0x23, 0x00, 11), "x"));
            expectDisconnect(raw, 0x94);
        }
    }

    @Test
    public void topicAliasIsResolvedOnLaterPublishes() throws Exception {
        V5Client sub = new V5Client(BROKER.uri(), "v5-alias-sub");
        try (sub; RawMqttSocket raw = connected("v5-alias-ok")) {
            sub.connect();
            sub.subscribe(V5Client.sub("alias/target", 0));
            raw.send(RawMqttSocket.publish5(0x30, "alias/target", 0, bytes(0x23, 0x00, 0x02), "first"));
            raw.send(RawMqttSocket.publish5(0x30, "", 0, bytes(0x23, 0x00, 0x02), "second"));
            assertEquals("first", sub.next().text());
            V5Client.Received second = sub.next();
            assertEquals("alias/target", second.topic());
            assertEquals("second", second.text());
        }
    }

    @Test
    public void exceedingTheReceiveMaximumIsRefused() throws Exception {
        try (RawMqttSocket raw = connected("v5-flood")) {
            // QoS 2 messages stay unacknowledged until PUBREL, which this client never sends
            for (int id = 1; id <= 101; id++) {
                raw.send(RawMqttSocket.publish5(0x34, "flood/x", id, new byte[0], "m"));
            }
            expectDisconnect(raw, 0x93);
        }
    }

    @Test
    public void packetAboveMaxPacketSizeIsTooLarge() throws Exception {
        try (RawMqttSocket raw = connected("v5-too-large")) {
            raw.send(0x30, 0x80, 0x80, 0x80, 0x10); // announces 32 MB, above the 16 MB default
            expectDisconnect(raw, 0x95);
        }
    }

    @Test
    public void repeatedPropertyInConnectGetsConnack0x82() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect5("v5-dup-connect", bytes(0x21, 0, 10, 0x21, 0, 20)));
            assertEquals(0x82, raw.connackReason());
            assertTrue(raw.awaitClosed());
        }
    }

    @Test
    public void propertyNotAllowedInConnectGetsConnack0x81() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect5("v5-bad-connect", bytes(0x23, 0, 1)));
            assertEquals(0x81, raw.connackReason());
            assertTrue(raw.awaitClosed());
        }
    }

    @Test
    public void subscriptionIdentifierZeroIsAProtocolError() throws Exception {
        try (RawMqttSocket raw = connected("v5-subid-0")) {
            raw.send(RawMqttSocket.subscribe5(1, bytes(0x0B, 0x00), "a/b", 1));
            expectDisconnect(raw, 0x82);
        }
    }

    @Test
    public void unknownAuthenticationMethodGetsConnack0x8C() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect5("v5-auth", stringProperty(0x15, "NO-SUCH-METHOD")));
            assertEquals(0x8C, raw.connackReason());
            assertTrue(raw.awaitClosed());
        }
    }

    @Test
    public void settingSessionExpiryAtDisconnectAfterZeroIsAProtocolError() throws Exception {
        try (RawMqttSocket raw = connected("v5-late-expiry")) {
            raw.send(RawMqttSocket.packet(0xE0, bytes(0x00, 5, 0x11, 0, 0, 0, 60)));
            expectDisconnect(raw, 0x82);
        }
    }
}
