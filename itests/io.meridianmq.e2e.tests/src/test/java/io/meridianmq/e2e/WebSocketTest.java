package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * MQTT over WebSocket (MQTT 5.0 section 6): a listener of kind {@code ws} at path {@code /mqtt},
 * driven by Paho v3 and v5 over {@code ws://}, interoperating with a plain TCP client.
 */
public class WebSocketTest {

    private static final int WS_PORT = freePort();

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.listener-ws.cfg", "host = 127.0.0.1\nport = " + WS_PORT + "\nkind = ws\npath = /mqtt\n");

    private static int freePort() {
        try {
            return BrokerProcess.freePort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String wsUri() throws InterruptedException {
        BROKER.awaitLog("Meridian listening for MQTT on 127.0.0.1:" + WS_PORT + " (listener 'ws', kind ws, path /mqtt");
        return "ws://127.0.0.1:" + WS_PORT + "/mqtt";
    }

    @Test
    public void pahoV3OverWebSocketTalksToATcpClient() throws Exception {
        MqttClient ws = new MqttClient(wsUri(), "ws-v3", new MemoryPersistence());
        MqttClient tcp = new MqttClient(BROKER.uri(), "tcp-v3", new MemoryPersistence());
        Received wsReceived = new Received();
        Received tcpReceived = new Received();
        ws.setCallback(wsReceived);
        tcp.setCallback(tcpReceived);
        try {
            ws.connect(new MqttConnectOptions());
            tcp.connect(new MqttConnectOptions());
            ws.subscribe("ws/from-tcp", 1);
            tcp.subscribe("ws/from-ws", 2);
            tcp.publish("ws/from-tcp", "over tcp".getBytes(StandardCharsets.UTF_8), 1, false);
            assertEquals("over tcp", wsReceived.next().payload());
            byte[] big = new byte[200_000]; // several WebSocket frames' worth
            java.util.Arrays.fill(big, (byte) 'x');
            ws.publish("ws/from-ws", big, 2, false);
            assertEquals(200_000, tcpReceived.next().payload().length());
        } finally {
            ws.disconnect();
            tcp.disconnect();
            ws.close();
            tcp.close();
        }
    }

    @Test
    public void pahoV5OverWebSocket() throws Exception {
        try (V5Client c = new V5Client(wsUri(), "ws-v5")) {
            c.connect();
            c.subscribe(V5Client.sub("ws/v5", 1));
            c.publish("ws/v5", "round trip", 1, false);
            assertEquals("round trip", c.next().text());
        }
    }
}
