package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The management listener's health checks, asked with {@code curl} as a load balancer or a
 * Kubernetes probe would: live while the process runs, ready only when every listener listens
 * (and saying which one does not, and why); a bad management setting is refused with a log line
 * while MQTT goes on, and fixing the file brings the listener back without a restart.
 */
public class HealthTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    /** {@code curl}'s answer: the status code and the body. */
    private record Answer(int status, String body) {
    }

    private static Answer curl(String path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("curl", "-s", "--max-time", "10", "-w", "\n%{http_code}",
                BROKER.managementUri() + path).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("curl did not finish", p.waitFor(20, TimeUnit.SECONDS));
        int cut = out.lastIndexOf('\n');
        return new Answer(Integer.parseInt(out.substring(cut + 1).trim()), out.substring(0, cut));
    }

    @Test
    public void readyOnlyWhileEveryListenerListensAndSaysWhichDoesNot() throws Exception {
        Answer live = curl("/health/live");
        assertEquals(200, live.status());
        assertEquals("{\"status\":\"UP\"}", live.body());
        Answer ready = curl("/health/ready");
        assertEquals(ready.body(), 200, ready.status());
        assertTrue(ready.body(), ready.body().contains("{\"name\":\"listener default\",\"status\":\"UP\"}"));

        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BROKER.editEtcFile("io.meridianmq.listener-second.cfg", "name = second\nhost = 127.0.0.1\nport = "
                    + taken.getLocalPort() + "\nkind = mqtt\n", l -> l.contains("'second'") && l.contains("cannot listen"),
                    "says the second listener cannot listen");
            Answer down = curl("/health/ready");
            assertEquals(down.body(), 503, down.status());
            assertTrue(down.body(), down.body().startsWith("{\"status\":\"DOWN\""));
            assertTrue(down.body(), down.body().contains("{\"name\":\"listener second\",\"status\":\"DOWN\","
                    + "\"problem\":\"cannot listen:"));
            assertEquals("live all the same", 200, curl("/health/live").status());
        }
        Files.delete(BROKER.home().resolve("etc/io.meridianmq.listener-second.cfg"));
        Awaitility.await("ready again once the listener is removed").atMost(30, TimeUnit.SECONDS)
                .pollInterval(Duration.ofMillis(200)).until(() -> curl("/health/ready").status() == 200);
    }

    @Test
    public void aBadSettingTurnsTheListenerOffWithALogLineAndMqttGoesOn() throws Exception {
        String good = Files.readString(BROKER.home().resolve("etc/io.meridianmq.management.cfg"));
        BROKER.editEtcFile("io.meridianmq.management.cfg", "host = 127.0.0.1\nport = eighty\n",
                l -> l.contains("port = 'eighty' is not a whole number") && l.contains("MQTT is not affected"),
                "refuses the port and names the file");
        assertEquals("curl: nothing listens", 0, curlStatusOrZero());
        MqttClient client = new MqttClient(BROKER.uri(), "health-mqtt", new MemoryPersistence());
        client.connect();
        assertTrue("MQTT goes on", client.isConnected());
        client.disconnect();
        client.close();

        BROKER.editEtcFile("io.meridianmq.management.cfg", good,
                l -> l.contains("Meridian management on http://127.0.0.1:" + BROKER.managementPort()),
                "opens the management listener again");
        assertEquals(200, curl("/health/ready").status());
    }

    @Test
    public void servesHttpsWithTheMqttListenersTlsSettings() throws Exception {
        String good = Files.readString(BROKER.home().resolve("etc/io.meridianmq.management.cfg"));
        java.nio.file.Path certs = Files.createTempDirectory("meridian-mgmt-tls-");
        try {
            TestCertificates.caAndServer(certs);
            BROKER.editEtcFile("io.meridianmq.management.cfg", "host = 127.0.0.1\nport = " + BROKER.managementPort()
                    + "\ntls = true\ncertfile = " + certs.resolve("server.pem") + "\nkeyfile = " + certs.resolve("server.key")
                    + "\n", l -> l.contains("Meridian management on https://127.0.0.1:" + BROKER.managementPort()),
                    "serves HTTPS");
            Process p = new ProcessBuilder("curl", "-s", "--max-time", "10", "--cacert", certs.resolve("server.pem").toString(),
                    "-w", "\n%{http_code}", "https://127.0.0.1:" + BROKER.managementPort() + "/health/live")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue("curl did not finish", p.waitFor(20, TimeUnit.SECONDS));
            assertTrue(out, out.endsWith("\n200") && out.contains("{\"status\":\"UP\"}"));
            assertEquals("plain HTTP gets no answer from the TLS listener", 0, curlStatusOrZero());
        } finally {
            BROKER.editEtcFile("io.meridianmq.management.cfg", good,
                    l -> l.contains("Meridian management on http://127.0.0.1:" + BROKER.managementPort()), "back to HTTP");
            BrokerProcess.deleteTree(certs);
        }
    }

    /** The status code, or 0 when no HTTP server answered. */
    private static int curlStatusOrZero() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("curl", "-s", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}",
                BROKER.managementUri() + "/health/live").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return out.isEmpty() ? 0 : Integer.parseInt(out);
    }
}
