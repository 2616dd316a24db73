package io.meridianmq.e2e;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@code meridian:trace CLIENT}: the packets of that client only, decoded, go to
 * {@code data/log/trace-CLIENT.log}: from its next packet when it is connected, from its CONNECT
 * when it connects later.
 */
public class TraceTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    @Test
    public void onlyTheTracedClientsPacketsGoToItsFile() throws Exception {
        try (V5Client device = new V5Client(BROKER.uri(), "device-7"); V5Client other = new V5Client(BROKER.uri(), "other")) {
            device.connect();
            other.connect();
            String started = BROKER.shell("meridian:trace device-7 5");
            assertTrue(started, started.contains("Tracing client 'device-7' for 5 minute(s)"));
            device.subscribe(V5Client.sub("t/#", 1));
            device.publish("t/a", "hello-trace", 1, false);
            device.next();
            other.publish("t/b", "not-traced", 1, false);
            device.next();

            Path file = BROKER.home().resolve("data/log/trace-device-7.log");
            Awaitility.await("the trace file").atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file)
                    && Files.readString(file).contains("out PUBLISH") && Files.readString(file).contains("not-traced"));
            String trace = Files.readString(file);
            assertTrue(trace, trace.contains("in  SUBSCRIBE"));
            assertTrue(trace, trace.contains("in  PUBLISH") && trace.contains("hello-trace"));
            assertTrue(trace, trace.contains("out SUBACK") && trace.contains("out PUBACK"));
            assertFalse("the other client has no trace", Files.exists(BROKER.home().resolve("data/log/trace-other.log")));
        }
        BROKER.shell("meridian:trace later 5");
        try (V5Client later = new V5Client(BROKER.uri(), "later")) {
            later.connect();
        }
        Path file = BROKER.home().resolve("data/log/trace-later.log");
        Awaitility.await("a client traced before it connects").atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(file) && Files.readString(file).contains("in  CONNECT")
                        && Files.readString(file).contains("out CONNACK"));
        String list = BROKER.shell("meridian:trace");
        assertTrue(list, list.contains("device-7 until") && list.contains("later until"));
    }

    @Test
    public void theRestApiStartsAndListsTraces() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString((BrokerProcess.ADMIN_USER + ":"
                + BrokerProcess.passwordOf(BrokerProcess.ADMIN_USER)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.net.http.HttpResponse<String> started = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(BROKER.managementUri() + "/api/v1/traces/api-traced?minutes=3")).header("Authorization", auth)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(started.body(), started.statusCode() == 200 && started.body().contains("trace-api-traced.log"));
        try (V5Client traced = new V5Client(BROKER.uri(), "api-traced")) {
            traced.connect();
        }
        Path file = BROKER.home().resolve("data/log/trace-api-traced.log");
        Awaitility.await("the API's trace").atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(file) && Files.readString(file).contains("in  CONNECT"));
        java.net.http.HttpResponse<String> list = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(BROKER.managementUri() + "/api/v1/traces")).header("Authorization", auth).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(list.body(), list.body().contains("\"api-traced\""));
    }
}
