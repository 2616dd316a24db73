package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@code /metrics} as a real Prometheus (Debian's package) scrapes it: after Paho clients
 * publish, a PromQL query over the scraped series sees the messages, and {@code promtool check
 * metrics} finds nothing wrong with the exposition.
 */
public class PrometheusMetricsTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process prometheus;
    private Path prometheusHome;

    @After
    public void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
        }
        if (prometheusHome != null) {
            try (var files = Files.walk(prometheusHome)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String get(String uri) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("GET " + uri + ": " + r.body(), 200, r.statusCode());
        return r.body();
    }

    /** Publishes {@code n} QoS 1 messages with Paho to a topic a Paho subscriber reads. */
    private static void traffic(int n) throws Exception {
        MqttClient sub = new MqttClient(BROKER.uri(), "metrics-sub", new MemoryPersistence());
        MqttClient pub = new MqttClient(BROKER.uri(), "metrics-pub", new MemoryPersistence());
        try {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(n);
            sub.connect(o);
            sub.subscribe("metrics/#", 1, (t, m) -> got.countDown());
            pub.connect(o);
            for (int i = 0; i < n; i++) {
                pub.publish("metrics/t", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
            }
            assertTrue("the subscriber got every message", got.await(30, TimeUnit.SECONDS));
        } finally {
            pub.disconnect();
            sub.disconnect();
            pub.close();
            sub.close();
        }
    }

    @Test
    public void promtoolFindsNothingWrongWithTheExposition() throws Exception {
        traffic(5);
        String exposition = get(BROKER.managementUri() + "/metrics");
        assertTrue(exposition, exposition.contains("meridian_messages_received_total{qos=\"1\"}"));
        assertTrue("JVM metrics are there too", exposition.contains("jvm_memory_used_bytes"));
        assertTrue("the durable store's commits", exposition.contains("meridian_store_commit_duration_seconds_count "));
        assertTrue("the event loops' lag", exposition.contains("meridian_event_loop_lag_seconds{thread=\"meridian-io-"));
        Process check = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("promtool did not finish", check.waitFor(30, TimeUnit.SECONDS));
        assertEquals("promtool check metrics: " + out, 0, check.exitValue());
    }

    @Test
    public void aRealPrometheusScrapesTheMessagesReceived() throws Exception {
        prometheusHome = Files.createTempDirectory("meridian-prometheus-");
        int webPort = BrokerProcess.freePort();
        Files.writeString(prometheusHome.resolve("prometheus.yml"), "global:\n  scrape_interval: 1s\n"
                + "scrape_configs:\n  - job_name: meridian\n    static_configs:\n      - targets: ['127.0.0.1:"
                + BROKER.managementPort() + "']\n");
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + prometheusHome.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + prometheusHome.resolve("data"), "--web.listen-address=127.0.0.1:" + webPort)
                .redirectErrorStream(true).redirectOutput(prometheusHome.resolve("prometheus.log").toFile()).start();
        String api = "http://127.0.0.1:" + webPort;
        Awaitility.await("Prometheus ready").atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> get(api + "/-/ready").contains("Ready"));

        Awaitility.await("the first scrape of the broker").atMost(60, TimeUnit.SECONDS)
                .pollInterval(Duration.ofMillis(250)).until(() -> queryScalar(api, "up{job=\"meridian\"}") == 1);
        String query = "sum(meridian_messages_received_total{qos=\"1\"})";
        double before = queryScalar(api, query);
        assertTrue("the series is there before any traffic of this test: " + before, before >= 0);
        traffic(20);
        Awaitility.await("Prometheus sees the messages").atMost(60, TimeUnit.SECONDS)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> queryScalar(api, query) >= before + 20);
    }

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");

    /** The value of an instant PromQL query with one result (NaN while there is none). */
    private double queryScalar(String api, String promql) throws IOException, InterruptedException {
        String body = get(api + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        Matcher m = VALUE.matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
