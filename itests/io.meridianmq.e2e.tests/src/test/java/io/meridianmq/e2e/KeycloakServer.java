package io.meridianmq.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * A real Keycloak ({@code keycloak-quarkus-dist}, unpacked by the build) with the
 * {@code meridian} realm imported from test resources. Started once per test run, on a free port
 * and a fresh database, and stopped (SIGTERM) when the test JVM exits. Everything talks to it as
 * 127.0.0.1: the issuer follows the host name a token was asked for with.
 */
public final class KeycloakServer {

    public static final String REALM = "meridian";

    private static KeycloakServer shared;

    private final int port;
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The one server of this test run, started on first use. */
    public static synchronized KeycloakServer shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = start();
            KeycloakServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "keycloak-stop"));
        }
        return shared;
    }

    private KeycloakServer(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    private static KeycloakServer start() throws IOException, InterruptedException {
        String home = System.getProperty("meridian.keycloak.home");
        if (home == null || !Files.isDirectory(Paths.get(home))) {
            throw new IllegalStateException("Keycloak is not unpacked at '" + home + "': build the e2e module with Maven "
                    + "(it unpacks org.keycloak:keycloak-quarkus-dist), see README.md");
        }
        Path dir = Paths.get(home);
        Path data = dir.resolve("data");
        deleteTree(data.resolve("h2")); // a fresh database: the realm is imported as the test resources say
        Path imports = data.resolve("import");
        deleteTree(imports);
        Files.createDirectories(imports);
        try (InputStream realm = KeycloakServer.class.getResourceAsStream("/keycloak/meridian-realm.json")) {
            Files.copy(realm, imports.resolve("meridian-realm.json"));
        }
        int port = BrokerProcess.freePort();
        Path log = dir.resolve("keycloak-test.log");
        ProcessBuilder pb = new ProcessBuilder(dir.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-port=" + port, "--http-host=127.0.0.1", "--import-realm", "--cache=local")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
        pb.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        Process process = pb.start();
        KeycloakServer server = new KeycloakServer(port, process, log);
        try {
            org.awaitility.Awaitility.await("Keycloak ready").atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("Keycloak exited:\n" + server.logTail());
                        }
                        return server.get(server.issuer() + "/.well-known/openid-configuration", null)
                                .statusCode() == 200;
                    });
        } catch (RuntimeException e) {
            server.stop();
            throw new IllegalStateException("Keycloak did not start:\n" + server.logTail(), e);
        }
        return server;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    /** SIGTERM and wait (a SIGKILL would orphan the JVM that kc.sh starts). */
    public void stop() {
        ProcessHandle handle = process.toHandle();
        List<ProcessHandle> children = handle.descendants().toList();
        handle.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            for (ProcessHandle child : children) {
                child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public int port() {
        return port;
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public String issuer() {
        return base() + "/realms/" + REALM;
    }

    /** A password-grant access token of {@code user} for {@code client}. */
    public String passwordToken(String client, String secret, String user, String password) throws Exception {
        return token(base(), client, secret, "grant_type=password&username=" + enc(user) + "&password=" + enc(password));
    }

    /** A client-credentials access token of {@code client}'s service account. */
    public String clientToken(String client, String secret) throws Exception {
        return token(base(), client, secret, "grant_type=client_credentials");
    }

    /** A token asked for at {@code base} (e.g. http://localhost:port: then its issuer is localhost). */
    public String token(String base, String client, String secret, String form) throws Exception {
        Map<String, Object> answer = postForm(base + "/realms/" + REALM + "/protocol/openid-connect/token",
                form + "&client_id=" + enc(client) + "&client_secret=" + enc(secret));
        Object token = answer.get("access_token");
        if (token == null) {
            throw new IllegalStateException("no token: " + answer);
        }
        return token.toString();
    }

    /** Revokes an access token (RFC 7009). */
    public void revoke(String token, String client, String secret) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(issuer()
                + "/protocol/openid-connect/revoke")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + enc(token) + "&token_type_hint=access_token"
                        + "&client_id=" + enc(client) + "&client_secret=" + enc(secret))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("revoke: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** The realm's published keys (JWKS). */
    public String jwks() throws Exception {
        return get(issuer() + "/protocol/openid-connect/certs", null).body();
    }

    // ---- admin REST, as the bootstrap admin ----

    private String adminToken() throws Exception {
        Map<String, Object> answer = postForm(base() + "/realms/master/protocol/openid-connect/token",
                "grant_type=password&client_id=admin-cli&username=admin&password=admin");
        return answer.get("access_token").toString();
    }

    /** Calls the admin API ({@code path} below /admin/realms/meridian); the response body. */
    public String admin(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/admin/realms/" + REALM + path))
                .header("Authorization", "Bearer " + adminToken()).header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    public String userId(String username) throws Exception {
        String body = admin("GET", "/users?exact=true&username=" + enc(username), null);
        return JSONObjectUtils.parse("{\"u\":" + body + "}").get("u") instanceof List<?> l && !l.isEmpty()
                ? ((Map<?, ?>) l.get(0)).get("id").toString() : null;
    }

    /** The internal id of a client. */
    public String clientUuid(String clientId) throws Exception {
        String body = admin("GET", "/clients?clientId=" + enc(clientId), null);
        List<?> l = (List<?>) JSONObjectUtils.parse("{\"c\":" + body + "}").get("c");
        return ((Map<?, ?>) l.get(0)).get("id").toString();
    }

    /** Grants ({@code add}) or removes a realm role of a user. */
    public void realmRole(String username, String role, boolean add) throws Exception {
        String roleJson = admin("GET", "/roles/" + enc(role), null);
        admin(add ? "POST" : "DELETE", "/users/" + userId(username) + "/role-mappings/realm", "[" + roleJson + "]");
    }

    /** A new generated RSA signing key with the highest priority: Keycloak signs with it from now on. */
    public void rotateKeys(String name) throws Exception {
        admin("POST", "/components", "{\"name\":\"" + name + "\",\"providerId\":\"rsa-generated\","
                + "\"providerType\":\"org.keycloak.keys.KeyProvider\",\"parentId\":\"" + REALM + "\","
                + "\"config\":{\"priority\":[\"" + (System.currentTimeMillis() / 1000) + "\"],\"keySize\":[\"2048\"],"
                + "\"active\":[\"true\"],\"enabled\":[\"true\"],\"algorithm\":[\"RS256\"]}}");
    }

    /** Adds a generated signing key of another kind: {@code eddsa-generated} or {@code ecdsa-generated}. */
    public void addKeyProvider(String providerId, String configJson) throws Exception {
        admin("POST", "/components", "{\"name\":\"" + providerId + "\",\"providerId\":\"" + providerId + "\","
                + "\"providerType\":\"org.keycloak.keys.KeyProvider\",\"parentId\":\"" + REALM + "\","
                + "\"config\":" + configJson + "}");
    }

    /** Adds a signing key the test holds: an imported RSA key (PKCS#8 PEM), used with low priority. */
    public void importKey(String name, String privateKeyPem) throws Exception {
        admin("POST", "/components", "{\"name\":\"" + name + "\",\"providerId\":\"rsa\","
                + "\"providerType\":\"org.keycloak.keys.KeyProvider\",\"parentId\":\"" + REALM + "\","
                + "\"config\":{\"priority\":[\"1\"],\"privateKey\":[" + JSONObjectUtils.toJSONString(
                        Map.of("k", privateKeyPem)).replaceFirst("^\\{\"k\":", "").replaceFirst("}$", "")
                + "],\"active\":[\"true\"],\"enabled\":[\"true\"],\"algorithm\":[\"RS256\"]}}");
    }

    private Map<String, Object> postForm(String url, String form) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST " + url + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSONObjectUtils.parse(r.body());
    }

    private HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
