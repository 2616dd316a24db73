package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The Grafana dashboard the distribution ships ({@code etc/grafana/meridian.json}) asks only for
 * metrics the broker exposes: every metric name in every panel's query is a series of a running
 * broker's {@code /metrics}.
 */
public class GrafanaDashboardTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private static final Pattern EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern METRIC = Pattern.compile("\\b((?:meridian|jvm)_[a-z0-9_]+)\\b");
    /** A series line of the text format: its name, then labels or the value. */
    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);

    @Test
    public void everyPanelAsksForMetricsThatExist() throws Exception {
        // a client connects and publishes, so that the per-plugin and per-outcome families have series
        MqttClient client = new MqttClient(BROKER.uri(), "dashboard", new MemoryPersistence());
        client.connect();
        client.publish("dashboard/t", "x".getBytes(), 1, false);
        client.disconnect();
        client.close();

        String dashboard = Files.readString(BROKER.home().resolve("etc/grafana/meridian.json"));
        List<String> queries = new ArrayList<>();
        for (Matcher m = EXPR.matcher(dashboard); m.find();) {
            queries.add(m.group(1).replace("\\\"", "\""));
        }
        assertTrue("the dashboard has its panels' queries: " + queries.size(), queries.size() >= 16);

        String exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(BROKER.managementUri() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> exposed = new TreeSet<>();
        for (Matcher m = SERIES.matcher(exposition); m.find();) {
            exposed.add(m.group(1));
        }
        Set<String> missing = new TreeSet<>();
        Set<String> asked = new TreeSet<>();
        for (String q : queries) {
            for (Matcher m = METRIC.matcher(q); m.find();) {
                asked.add(m.group(1));
                if (!exposed.contains(m.group(1))) {
                    missing.add(m.group(1) + " (in " + q + ")");
                }
            }
        }
        assertFalse("the queries name metrics", asked.isEmpty());
        assertEquals("metrics the dashboard asks for that /metrics does not have", Set.of(), missing);
        assertTrue("the dashboard is JSON with a Prometheus data source input",
                dashboard.contains("\"pluginId\": \"prometheus\"") && Files.size(Path.of(
                        BROKER.home().resolve("etc/grafana/meridian.json").toString())) > 1000);
    }
}
