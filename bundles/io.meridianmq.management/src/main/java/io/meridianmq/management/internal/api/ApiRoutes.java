package io.meridianmq.management.internal.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.Bans;
import io.meridianmq.broker.Broker;
import io.meridianmq.broker.SessionSummary;
import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.management.internal.http.HttpAnswers;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.service.BrokerServices;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The admin REST API under {@code /api/v1/}, described by {@code /api/v1/openapi.json}: clients
 * (list with filters and paging, one with its subscriptions, kick), sessions, bans (list, add,
 * remove). Reading needs a viewer, changing an admin; every change goes to the audit log.
 * Whatever is wrong with a request is a problem document with the status that says so (400,
 * 401, 403, 404, 405, 503), never a 500 for the caller's mistake.
 *
 * <p>Threading: the management server's thread.
 */
public final class ApiRoutes {

    public static final String PREFIX = "/api/v1/";
    private static final int MAX_PAGE_SIZE = 1000;

    /** A request's mistake, answered with its status and detail. */
    private static final class Refused extends Exception {
        final HttpResponseStatus status;

        Refused(HttpResponseStatus status, String detail) {
            super(detail, null, false, false);
            this.status = status;
        }
    }

    private final RunningBroker running;
    private final ApiAuthentication authentication;
    private final AuditLog audit;
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] openApi;

    /** Where the API keeps its files: {@code data/meridian/api-keys.properties}, {@code data/log/audit.jsonl}. */
    public static Path dataDirectory() {
        return Path.of(System.getProperty("karaf.data", System.getProperty("java.io.tmpdir")));
    }

    public ApiRoutes(RunningBroker running, ApiKeys keys, Path auditFile) {
        this.running = running;
        this.authentication = new ApiAuthentication(keys);
        this.audit = new AuditLog(auditFile, json);
        try (InputStream in = ApiRoutes.class.getResourceAsStream("/api/openapi.json")) {
            openApi = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the bundle lacks its api/openapi.json", e);
        }
    }

    public FullHttpResponse answer(FullHttpRequest request, QueryStringDecoder uri) {
        HttpMethod method = request.method();
        List<String> path = segments(uri.rawPath().substring(PREFIX.length()));
        if (path.equals(List.of("openapi.json"))) {
            return method.equals(HttpMethod.GET) ? HttpAnswers.response(HttpResponseStatus.OK, HttpAnswers.JSON, openApi)
                    : notAllowed(uri.path(), "GET");
        }
        Optional<Caller> caller = authentication.authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION),
                request.headers().get("X-API-Key"));
        if (caller.isEmpty()) {
            FullHttpResponse r = HttpAnswers.problem(HttpResponseStatus.UNAUTHORIZED, "log in: HTTP Basic with a Karaf "
                    + "user of role viewer or admin (etc/users.properties), or an API key (Authorization: Bearer KEY)");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"Meridian\"");
            return r;
        }
        boolean change = !method.equals(HttpMethod.GET);
        try {
            if (change && !caller.get().admin()) {
                throw new Refused(HttpResponseStatus.FORBIDDEN, caller.get().name() + " may read only (role viewer): "
                        + method + " " + uri.path() + " needs the admin role");
            }
            FullHttpResponse r = route(method, path, uri, request);
            if (change) {
                audit.record(caller.get(), method.name(), uri.path(), r.status().code(), "done");
            }
            return r;
        } catch (Refused e) {
            if (change) { // refused changes too: an operator wants to see who tried
                audit.record(caller.get(), method.name(), uri.path(), e.status.code(), e.getMessage());
            }
            return HttpAnswers.problem(e.status, e.getMessage());
        }
    }

    private FullHttpResponse route(HttpMethod method, List<String> path, QueryStringDecoder uri, FullHttpRequest request)
            throws Refused {
        String resource = path.isEmpty() ? "" : path.get(0);
        switch (resource) {
            case "clients" -> {
                if (path.size() == 1) {
                    only(method, uri, HttpMethod.GET);
                    return ok(clients(uri));
                }
                if (path.size() == 2) {
                    if (method.equals(HttpMethod.GET)) {
                        return ok(client(path.get(1)));
                    }
                    only(method, uri, HttpMethod.DELETE);
                    kick(path.get(1), uri);
                    return HttpAnswers.empty();
                }
            }
            case "sessions" -> {
                if (path.size() == 1) {
                    only(method, uri, HttpMethod.GET);
                    return ok(sessions());
                }
            }
            case "bans" -> {
                if (path.size() == 1 && method.equals(HttpMethod.POST)) {
                    return HttpAnswers.response(HttpResponseStatus.CREATED, HttpAnswers.JSON, write(ban(request)));
                }
                if (path.size() == 1) {
                    only(method, uri, HttpMethod.GET, HttpMethod.POST);
                    return ok(bans());
                }
                if (path.size() == 3) {
                    only(method, uri, HttpMethod.DELETE);
                    unban(path.get(1), path.get(2));
                    return HttpAnswers.empty();
                }
            }
            default -> {
                // below
            }
        }
        throw new Refused(HttpResponseStatus.NOT_FOUND, "no resource at " + uri.path() + " (see " + PREFIX
                + "openapi.json)");
    }

    // ---- clients ----

    private Map<String, Object> clients(QueryStringDecoder uri) throws Refused {
        String text = param(uri, "q");
        String user = param(uri, "user");
        String listener = param(uri, "listener");
        int page = number(uri, "page", 1, 1, Integer.MAX_VALUE);
        int size = number(uri, "size", 100, 1, MAX_PAGE_SIZE);
        List<ClientInfo> all = services().connectedClients().stream()
                .filter(c -> text == null || c.clientId().contains(text))
                .filter(c -> user == null || c.username().map(user::equals).orElse(false))
                .filter(c -> listener == null || listener.equals(c.listenerName()))
                .sorted(Comparator.comparing(ClientInfo::clientId)).toList();
        List<Map<String, Object>> items = new ArrayList<>();
        all.stream().skip((long) (page - 1) * size).limit(size).forEach(c -> items.add(client(c)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("page", page);
        body.put("size", size);
        body.put("total", all.size());
        return body;
    }

    private Map<String, Object> client(String clientId) throws Refused {
        ClientInfo found = services().connectedClients().stream().filter(c -> c.clientId().equals(clientId))
                .findFirst().orElseThrow(() -> new Refused(HttpResponseStatus.NOT_FOUND,
                        "no connected client '" + clientId + "'"));
        Map<String, Object> body = client(found);
        body.put("subscriptions", services().subscriptions(clientId));
        return body;
    }

    private static Map<String, Object> client(ClientInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientId", c.clientId());
        m.put("username", c.username().orElse(null));
        m.put("address", c.remoteAddress().getAddress().getHostAddress());
        m.put("port", c.remoteAddress().getPort());
        m.put("listener", c.listenerName());
        m.put("protocol", c.protocolLevel() == 5 ? "5.0" : c.protocolLevel() == 4 ? "3.1.1" : "3.1");
        return m;
    }

    private void kick(String clientId, QueryStringDecoder uri) throws Refused {
        String reason = Optional.ofNullable(param(uri, "reason")).orElse("kicked by an operator");
        if (!services().disconnect(clientId, reason + " (REST API)")) {
            throw new Refused(HttpResponseStatus.NOT_FOUND, "no connected client '" + clientId + "'");
        }
    }

    // ---- sessions ----

    private List<Map<String, Object>> sessions() throws Refused {
        List<Map<String, Object>> items = new ArrayList<>();
        for (SessionSummary s : broker().sessions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clientId", s.clientId());
            m.put("online", s.online());
            m.put("subscriptions", s.subscriptions());
            m.put("queued", s.queued());
            m.put("inflight", s.inflight());
            items.add(m);
        }
        return items;
    }

    // ---- bans ----

    private List<Map<String, Object>> bans() throws Refused {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Ban b : broker().bans().list()) {
            items.add(ban(b));
        }
        return items;
    }

    private static Map<String, Object> ban(Ban b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", b.kind().word());
        m.put("value", b.value());
        m.put("until", b.until() == null ? null : b.until().toString());
        m.put("reason", b.reason());
        m.put("by", b.by());
        m.put("at", b.at().toString());
        return m;
    }

    private Map<String, Object> ban(FullHttpRequest request) throws Refused {
        JsonNode body;
        try {
            body = json.readTree(request.content().toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new Refused(HttpResponseStatus.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new Refused(HttpResponseStatus.BAD_REQUEST,
                    "the body is a JSON object: {\"kind\": \"clientid\", \"value\": \"...\", \"minutes\": 60, \"reason\": \"...\"}");
        }
        Ban.Kind kind;
        try {
            kind = Ban.Kind.of(text(body, "kind"));
        } catch (IllegalArgumentException e) {
            throw new Refused(HttpResponseStatus.BAD_REQUEST, "kind: " + e.getMessage());
        }
        String value = text(body, "value");
        Duration duration = null;
        if (body.hasNonNull("minutes")) {
            if (!body.get("minutes").canConvertToLong() || body.get("minutes").asLong() < 1) {
                throw new Refused(HttpResponseStatus.BAD_REQUEST, "minutes is a whole number from 1 on (leave it out to ban until removed)");
            }
            duration = Duration.ofMinutes(body.get("minutes").asLong());
        }
        String reason = body.hasNonNull("reason") ? body.get("reason").asText() : null;
        Bans.Added added = broker().bans().add(kind, value, duration, reason, "REST API");
        Map<String, Object> answer = ban(added.ban());
        answer.put("disconnected", added.disconnected());
        return answer;
    }

    private static String text(JsonNode body, String field) throws Refused {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new Refused(HttpResponseStatus.BAD_REQUEST, "the body needs \"" + field + "\" as a non-empty string");
        }
        return v.asText();
    }

    private void unban(String kind, String value) throws Refused {
        Ban.Kind k;
        try {
            k = Ban.Kind.of(kind);
        } catch (IllegalArgumentException e) {
            throw new Refused(HttpResponseStatus.NOT_FOUND, "no bans of kind " + e.getMessage());
        }
        if (!broker().bans().remove(k, value)) {
            throw new Refused(HttpResponseStatus.NOT_FOUND, "no ban of " + k.word() + " '" + value + "'");
        }
    }

    // ---- plumbing ----

    private Broker broker() throws Refused {
        Broker b = running.broker();
        if (b == null) {
            throw new Refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "the broker core is not running");
        }
        return b;
    }

    private BrokerServices services() throws Refused {
        BrokerServices s = running.services();
        if (s == null) {
            throw new Refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "the broker core is not running");
        }
        return s;
    }

    private FullHttpResponse ok(Object body) throws Refused {
        return HttpAnswers.response(HttpResponseStatus.OK, HttpAnswers.JSON, write(body));
    }

    private byte[] write(Object body) throws Refused {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new Refused(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write the answer: " + e.getMessage());
        }
    }

    private static void only(HttpMethod method, QueryStringDecoder uri, HttpMethod... allowed) throws Refused {
        for (HttpMethod a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw new Refused(HttpResponseStatus.METHOD_NOT_ALLOWED, uri.path() + " takes "
                + String.join(", ", java.util.Arrays.stream(allowed).map(HttpMethod::name).toList()));
    }

    private static FullHttpResponse notAllowed(String path, String allowed) {
        FullHttpResponse r = HttpAnswers.problem(HttpResponseStatus.METHOD_NOT_ALLOWED, path + " takes " + allowed);
        r.headers().set(HttpHeaderNames.ALLOW, allowed);
        return r;
    }

    private static String param(QueryStringDecoder uri, String name) {
        List<String> v = uri.parameters().get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }

    private static int number(QueryStringDecoder uri, String name, int fallback, int min, int max) throws Refused {
        String raw = param(uri, name);
        if (raw == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Refused(HttpResponseStatus.BAD_REQUEST, name + " is a whole number from " + min + " to " + max
                + ", not '" + raw + "'");
    }

    /** The path's segments after the prefix, each percent-decoded (a client id may hold '/' as %2F). */
    private static List<String> segments(String raw) {
        List<String> out = new ArrayList<>();
        for (String s : raw.split("/")) {
            if (!s.isEmpty()) {
                out.add(QueryStringDecoder.decodeComponent(s));
            }
        }
        return out;
    }
}
