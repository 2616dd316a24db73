package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * The admin REST API driven with a plain HTTP client, as a script would: clients listed and
 * kicked (the Paho client sees DISCONNECT 0x98), a client banned and unbanned, API keys, and
 * every kind of bad request answered with its status and a problem document, never a 500.
 */
public class RestApiTest {

    private static final int SPARE_PORT = freePort();

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess().withEtcFile("io.meridianmq.listener-spare.cfg",
            "name = spare\nhost = 127.0.0.1\nport = " + SPARE_PORT + "\nkind = mqtt\nkeystore_password = hunter2\n");

    private static int freePort() {
        try {
            return BrokerProcess.freePort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String basic(String user) {
        String password = BrokerProcess.passwordOf(user);
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> call(String method, String path, String authorization, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(BROKER.managementUri() + "/api/v1" + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> r, int status) {
        assertEquals(r.body(), status, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertTrue(r.body(), r.body().contains("\"status\":" + status) && r.body().contains("\"detail\":"));
    }

    @Test
    public void listsAndKicksClients() throws Exception {
        try (V5Client device = new V5Client(BROKER.uri(), "rest-device/1")) {
            device.connect();
            device.subscribe(V5Client.sub("cmd/#", 1));
            HttpResponse<String> list = call("GET", "/clients?q=rest-device", basic(BrokerProcess.VIEWER), null);
            assertEquals(list.body(), 200, list.statusCode());
            assertTrue(list.body(), list.body().contains("\"clientId\":\"rest-device/1\"") && list.body().contains("\"total\":1"));
            String id = "/clients/" + URLEncoder.encode("rest-device/1", StandardCharsets.UTF_8);
            HttpResponse<String> one = call("GET", id, basic(BrokerProcess.VIEWER), null);
            assertTrue(one.body(), one.body().contains("\"subscriptions\":{\"cmd/#\":1}"));

            assertProblem(call("DELETE", id, basic(BrokerProcess.VIEWER), null), 403);
            HttpResponse<String> kicked = call("DELETE", id + "?reason=maintenance", basic(BrokerProcess.ADMIN_USER), null);
            assertEquals(kicked.body(), 204, kicked.statusCode());
            assertEquals(0x98, device.awaitDisconnect().getReturnCode());
        }
        assertProblem(call("GET", "/clients/nobody", basic(BrokerProcess.VIEWER), null), 404);
        String audit = Files.readString(BROKER.home().resolve("data/log/audit.jsonl"));
        assertTrue(audit, audit.contains("\"who\":\"user admin\"") && audit.contains("\"status\":204"));
        assertTrue("the viewer's try is there too: " + audit, audit.contains("\"who\":\"user viewer\"")
                && audit.contains("\"status\":403"));
    }

    @Test
    public void bansAClientAndAnApiKeyWorksUntilRevoked() throws Exception {
        String created = BROKER.shell("meridian:apikey-create ops-script admin");
        Matcher m = Pattern.compile("(mk_[A-Za-z0-9_-]+)").matcher(created);
        assertTrue(created, m.find());
        String key = "Bearer " + m.group(1);

        HttpResponse<String> ban = call("POST", "/bans", key, "{\"kind\":\"clientid\",\"value\":\"rest-banned\","
                + "\"minutes\":30,\"reason\":\"stolen\"}");
        assertEquals(ban.body(), 201, ban.statusCode());
        assertTrue(ban.body(), ban.body().contains("\"by\":\"REST API\"") && ban.body().contains("\"reason\":\"stolen\""));
        try (V5Client banned = new V5Client(BROKER.uri(), "rest-banned")) {
            banned.connect();
            throw new AssertionError("connected while banned");
        } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            assertEquals(0x8A, e.getReasonCode());
        }
        HttpResponse<String> bans = call("GET", "/bans", key, null);
        assertTrue(bans.body(), bans.body().contains("rest-banned"));
        assertEquals(204, call("DELETE", "/bans/clientid/rest-banned", key, null).statusCode());
        assertProblem(call("DELETE", "/bans/clientid/rest-banned", key, null), 404);

        BROKER.shell("meridian:apikey-revoke ops-script");
        assertProblem(call("GET", "/bans", key, null), 401);
        assertTrue("a key is kept only as its hash",
                !Files.readString(BROKER.home().resolve("data/meridian/api-keys.properties")).contains(m.group(1)));
    }

    @Test
    public void publishesReadsAndClearsRetainedMessagesAndListsListeners() throws Exception {
        String admin = basic(BrokerProcess.ADMIN_USER);
        try (V5Client reader = new V5Client(BROKER.uri(), "rest-reader")) {
            reader.connect();
            reader.subscribe(V5Client.sub("rest/#", 1));
            HttpResponse<String> published = call("POST", "/publish", admin,
                    "{\"topic\":\"rest/state\",\"payload\":\"on\",\"qos\":1,\"retain\":true}");
            assertEquals(published.body(), 204, published.statusCode());
            assertEquals("on", reader.next().text());
        }
        HttpResponse<String> retained = call("GET", "/retained?filter=rest/%23", basic(BrokerProcess.VIEWER), null);
        assertTrue(retained.body(), retained.body().contains("\"topic\":\"rest/state\"") && retained.body().contains("\"payload\":\"on\""));
        String one = "/retained/" + URLEncoder.encode("rest/state", StandardCharsets.UTF_8);
        assertEquals(200, call("GET", one, admin, null).statusCode());
        assertEquals(204, call("DELETE", one, admin, null).statusCode());
        assertProblem(call("GET", one, admin, null), 404);
        assertProblem(call("POST", "/publish", admin, "{\"topic\":\"a/+\"}"), 400);
        assertProblem(call("POST", "/publish", admin, "{\"topic\":\"a\",\"qos\":7}"), 400);

        HttpResponse<String> listeners = call("GET", "/listeners", admin, null);
        assertTrue(listeners.body(), listeners.body().contains("\"name\":\"default\"")
                && listeners.body().contains("\"listening\":true") && listeners.body().contains("\"port\":" + BROKER.port()));
    }

    @Test
    public void sessionsSubscriptionsPluginsAndTheConfiguration() throws Exception {
        String admin = basic(BrokerProcess.ADMIN_USER);
        org.eclipse.paho.mqttv5.client.MqttConnectionOptions persistent = V5Client.options();
        persistent.setCleanStart(false);
        persistent.setSessionExpiryInterval(3600L);
        try (V5Client online = new V5Client(BROKER.uri(), "rest-online"); V5Client away = new V5Client(BROKER.uri(), "rest-away")) {
            online.connect();
            online.subscribe(V5Client.sub("fleet/+/state", 1));
            away.connect(persistent);
            away.subscribe(V5Client.sub("fleet/+/state", 0));
            away.disconnect();

            HttpResponse<String> byFilter = call("GET", "/subscriptions?filter=fleet/%2B/state", admin, null);
            assertTrue(byFilter.body(), byFilter.body().contains("\"clientId\":\"rest-online\"")
                    && byFilter.body().contains("\"clientId\":\"rest-away\""));
            HttpResponse<String> byClient = call("GET", "/subscriptions?client=rest-online", admin, null);
            assertTrue(byClient.body(), byClient.body().contains("\"qos\":1") && !byClient.body().contains("rest-away"));
            assertProblem(call("GET", "/subscriptions", admin, null), 400);

            assertProblem(call("DELETE", "/sessions/rest-online", admin, null), 409);
            assertEquals(204, call("DELETE", "/sessions/rest-away", admin, null).statusCode());
            assertProblem(call("DELETE", "/sessions/rest-away", admin, null), 404);
            assertTrue(!call("GET", "/sessions", admin, null).body().contains("rest-away"));
        }

        java.nio.file.Path jar = java.nio.file.Paths.get(System.getProperty("meridian.example.transform.jar"));
        java.nio.file.Path deployed = BROKER.home().resolve("deploy").resolve("rest-" + jar.getFileName());
        java.nio.file.Path temp = BROKER.home().resolve("plugin.tmp");
        Files.copy(jar, temp);
        Files.move(temp, deployed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        try {
            Pattern transform = Pattern.compile("\"name\":\"io\\.meridianmq\\.example\\.transform[^\"]*\",\"bundleId\":(\\d+),\"state\":\"active\"");
            String[] id = new String[1];
            org.awaitility.Awaitility.await("the deployed plugin is listed").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300)).until(() -> {
                        Matcher found = transform.matcher(call("GET", "/plugins", admin, null).body());
                        return found.find() && (id[0] = found.group(1)) != null;
                    });
            HttpResponse<String> disabled = call("POST", "/plugins/" + id[0] + "/disable", admin, null);
            assertTrue(disabled.body(), disabled.statusCode() == 200 && disabled.body().contains("\"state\":\"disabled\""));
            assertTrue(call("GET", "/plugins", admin, null).body().contains("\"bundleId\":" + id[0] + ",\"state\":\"disabled\""));
            assertEquals(200, call("POST", "/plugins/" + id[0] + "/enable", admin, null).statusCode());
            org.awaitility.Awaitility.await("enabled again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .until(() -> transform.matcher(call("GET", "/plugins", admin, null).body()).find());
        } finally {
            Files.deleteIfExists(deployed);
        }

        HttpResponse<String> plugins = call("GET", "/plugins", basic(BrokerProcess.VIEWER), null);
        assertTrue(plugins.body(), plugins.body().contains("\"kind\":\"authenticator\"") && plugins.body().contains("AnonymousAuthenticator"));
        assertProblem(call("POST", "/plugins/999999/disable", admin, null), 404);
        assertProblem(call("POST", "/plugins/abc/disable", admin, null), 400);

        HttpResponse<String> config = call("GET", "/config", admin, null);
        assertTrue(config.body(), config.body().contains("\"io.meridianmq.management\"") && config.body().contains("\"port\":\"" + BROKER.managementPort() + "\""));
        assertTrue("secrets are masked: " + config.body(), config.body().contains("\"keystore_password\":\"***\"")
                && !config.body().contains("hunter2"));
    }

    @Test
    public void badRequestsGetTheirStatusAndAProblem() throws Exception {
        HttpResponse<String> none = call("GET", "/clients", null, null);
        assertProblem(none, 401);
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertProblem(call("GET", "/clients", "Basic " + Base64.getEncoder().encodeToString(
                "admin:wrong".getBytes(StandardCharsets.UTF_8)), null), 401);
        assertProblem(call("GET", "/clients", "Bearer mk_not-a-key", null), 401);
        String admin = basic(BrokerProcess.ADMIN_USER);
        assertProblem(call("POST", "/bans", admin, "{\"kind\":\"clientid\",\"value\":"), 400);
        assertProblem(call("POST", "/bans", admin, "[1,2]"), 400);
        assertProblem(call("POST", "/bans", admin, "{\"kind\":\"planet\",\"value\":\"x\"}"), 400);
        assertProblem(call("POST", "/bans", admin, "{\"kind\":\"clientid\",\"value\":\"x\",\"minutes\":-5}"), 400);
        assertProblem(call("GET", "/clients?size=0", admin, null), 400);
        assertProblem(call("GET", "/clients?page=abc", admin, null), 400);
        assertProblem(call("GET", "/nothing-here", admin, null), 404);
        assertProblem(call("PUT", "/sessions", admin, "{}"), 405);
        assertProblem(call("POST", "/bans", basic(BrokerProcess.VIEWER), "{\"kind\":\"clientid\",\"value\":\"x\"}"), 403);
        HttpResponse<String> doc = call("GET", "/openapi.json", null, null);
        assertEquals(200, doc.statusCode());
        assertTrue(doc.body(), doc.body().contains("\"openapi\": \"3.1.0\"") && doc.body().contains("/bans/{kind}/{value}"));
        assertTrue("the broker took all of it", BROKER.isAlive());
    }
}
