package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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

    /** A raw socket that has done the WebSocket handshake on {@code /mqtt}: for hostile frames only. */
    static java.net.Socket openWebSocket(int port) throws java.io.IOException {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        java.io.InputStream in = socket.getInputStream();
        StringBuilder response = new StringBuilder();
        while (!response.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            response.append((char) b);
        }
        assertTrue(response.toString(), response.toString().startsWith("HTTP/1.1 101"));
        return socket;
    }

    @Test
    public void anOversizedFrameClosesThatConnectionOnly() throws Exception {
        wsUri();
        try (java.net.Socket socket = openWebSocket(WS_PORT)) {
            java.io.OutputStream out = socket.getOutputStream();
            java.io.InputStream in = socket.getInputStream();
            // a binary frame that claims 8 GiB: refused from its header, before any of it is buffered
            out.write(new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 2, 0, 0, 0, 0, 1, 2, 3, 4});
            out.flush();
            byte[] rest = in.readAllBytes(); // the broker's close frame, then the end of the stream
            assertTrue("a close frame (1009, message too big)", rest.length >= 4 && (rest[0] & 0x0F) == 0x8
                    && ((rest[2] & 0xFF) << 8 | (rest[3] & 0xFF)) == 1009);
        }
        BROKER.awaitLog("WebSocket frame refused");
        // everyone else is still served
        MqttClient tcp = new MqttClient(BROKER.uri(), "after-oversized-frame", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        tcp.connect(o);
        tcp.disconnect();
        tcp.close();
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
