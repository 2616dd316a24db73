package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * MQTT.js (npm package {@code mqtt}) under Node.js, over WebSocket and over TCP, exchanging
 * messages with a Paho MQTT 5 client through the real distribution. The npm packages are
 * installed from src/test/node/package-lock.json on first use.
 */
public class MqttJsTest {

    private static final int WS_PORT = freePort();

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.listener-ws.cfg", "host = 127.0.0.1\nport = " + WS_PORT + "\nkind = ws\n");

    private static File nodeDir;

    private static int freePort() {
        try {
            return BrokerProcess.freePort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeClass
    public static void installMqttJs() throws Exception {
        nodeDir = installedNodePackages();
    }

    /** src/test/node with its npm packages installed (npm ci from the lock file, once). */
    static synchronized File installedNodePackages() throws Exception {
        File dir = new File(System.getProperty("meridian.node.dir"));
        if (!new File(dir, "node_modules/mqtt").isDirectory()) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir)
                    .redirectErrorStream(true).start();
            String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue("npm ci did not finish", npm.waitFor(300, TimeUnit.SECONDS));
            assertEquals("npm ci failed (Node.js and npm are needed): " + out, 0, npm.exitValue());
        }
        return dir;
    }

    private void roundTrip(String url, String clientSuffix) throws Exception {
        Process node = new ProcessBuilder("node", "roundtrip.js", url).directory(nodeDir).redirectErrorStream(true)
                .start();
        try (V5Client paho = new V5Client(BROKER.uri(), "paho-js-" + clientSuffix)) {
            paho.connect();
            paho.subscribe(V5Client.sub("js/out", 1));
            BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String line = lines.readLine();
            assertEquals("MQTT.js said: " + line, "SUBSCRIBED", line);
            paho.publish("js/in", "hello from paho", 1, false);
            V5Client.Received echo = paho.next();
            assertEquals("echo: hello from paho", echo.text());
            assertEquals(java.util.List.of(new UserProperty("via", "mqtt.js")),
                    echo.message().getProperties().getUserProperties());
            assertEquals("ECHOED", lines.readLine());
            assertTrue(node.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, node.exitValue());
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    public void mqttJsOverWebSocket() throws Exception {
        BROKER.awaitLog("127.0.0.1:" + WS_PORT + " (listener 'ws', kind ws");
        roundTrip("ws://127.0.0.1:" + WS_PORT + "/mqtt", "ws");
    }

    @Test
    public void mqttJsOverTcp() throws Exception {
        roundTrip("mqtt://127.0.0.1:" + BROKER.port(), "tcp");
    }
}
