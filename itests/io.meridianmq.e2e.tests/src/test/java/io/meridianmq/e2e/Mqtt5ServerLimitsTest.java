package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * CONNACK capabilities follow the configuration, and the broker enforces what it announces
 * (MQTT 5.0 sections 3.2.2.3 and 3.3.1), proven with Paho's MQTT 5 client against a broker
 * configured with max_qos = 1, retain_available = false and max_keepalive = 5.
 */
public class Mqtt5ServerLimitsTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "max_qos = 1\nretain_available = false\n")
            .withEtcFile("io.meridianmq.protocol.cfg", "max_keepalive = 5\nmax_inflight_incoming = 20\nmax_connections = 3\n"
                    + "max_topic_alias = 0\nresponse_information =\n");

    @Test
    public void s3_2_2_connackAnnouncesTheConfiguredLimits() throws Exception {
        try (V5Client c = new V5Client(BROKER.uri(), "limits-caps")) {
            MqttConnectionOptions o = V5Client.options();
            o.setKeepAliveInterval(60);
            o.setRequestResponseInfo(true);
            MqttProperties p = c.connect(o).getResponseProperties();
            assertEquals(Integer.valueOf(1), p.getMaximumQoS());
            assertFalse(p.isRetainAvailable());
            assertEquals("keep alive above max_keepalive is replaced", Integer.valueOf(5), p.getServerKeepAlive());
            assertEquals(Integer.valueOf(20), p.getReceiveMaximum());
            assertEquals(null, p.getResponseInfo());
        }
    }

    @Test
    public void s3_8_4_grantedQosIsCappedByMaxQos() throws Exception {
        try (V5Client c = new V5Client(BROKER.uri(), "limits-sub")) {
            c.connect();
            IMqttToken t = c.subscribe(V5Client.sub("limits/x", 2));
            assertEquals(1, t.getReasonCodes()[0]);
        }
    }

    @Test
    public void s3_3_1_publishAboveMaxQosIsRefusedWith0x9B() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect5("limits-qos2", new byte[0]));
            assertEquals(0, raw.connackReason());
            raw.send(RawMqttSocket.publish5(0x34, "limits/q", 1, new byte[0], "too high"));
            assertEquals(0x9B, raw.awaitDisconnectReason());
        }
    }

    @Test
    public void s3_3_1_retainedPublishIsRefusedWith0x9AWhenRetainIsUnavailable() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect5("limits-retain", new byte[0]));
            assertEquals(0, raw.connackReason());
            raw.send(RawMqttSocket.publish5(0x31, "limits/r", 0, new byte[0], "keep me"));
            assertEquals(0x9A, raw.awaitDisconnectReason());
        }
    }

    @Test
    public void s3_2_2_2_connectionsAboveMaxConnectionsGetQuotaExceeded() throws Exception {
        try (V5Client a = new V5Client(BROKER.uri(), "limits-1"); V5Client b = new V5Client(BROKER.uri(), "limits-2");
                V5Client c = new V5Client(BROKER.uri(), "limits-3"); V5Client d = new V5Client(BROKER.uri(), "limits-4")) {
            a.connect();
            b.connect();
            c.connect();
            try {
                d.connect();
                org.junit.Assert.fail("a fourth client is above max_connections = 3");
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                assertEquals(0x97, e.getReasonCode());
            }
            a.disconnect();
            BROKER.awaitLog("Client 'limits-1' (");
            // a place is free again (the count drops when the broker sees the close)
            long deadline = System.currentTimeMillis() + 10_000;
            while (true) {
                try (V5Client e = new V5Client(BROKER.uri(), "limits-5")) {
                    e.connect();
                    break;
                } catch (org.eclipse.paho.mqttv5.common.MqttException notYet) {
                    if (System.currentTimeMillis() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    @Test
    public void s3_3_2_topicAliasesAreRefusedWhenTheMaximumIsZero() throws Exception {
        try (RawMqttSocket raw = new RawMqttSocket(BROKER.port())) {
            raw.send(RawMqttSocket.connect5("limits-alias", new byte[0]));
            assertEquals(0, raw.connackReason());
            raw.send(RawMqttSocket.publish5(0x30, "limits/a", 0, RawMqttSocket.bytes(0x23, 0, 1), "x"));
            assertEquals(0x94, raw.awaitDisconnectReason());
        }
    }
}
