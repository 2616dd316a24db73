package io.meridianmq.management.internal.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.management.internal.http.HttpAnswers;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The admin REST API under {@code /api/v1/}, described by {@code /api/v1/openapi.json}: checks
 * who calls (a viewer reads, an admin changes), hands the request to the resource its first
 * path segment names, and writes every change (and every refused try at one) to the audit log.
 * Whatever is wrong with a request is a problem document with the status that says so (400,
 * 401, 403, 404, 405, 503), never a 500 for the caller's mistake.
 *
 * <p>Threading: the management server's thread.
 */
public final class ApiRoutes {

    public static final String PREFIX = "/api/v1/";
    private final RunningBroker running;

    private final ApiAuthentication authentication;
    private final AuditLog audit;
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] openApi;
    private final Map<String, ApiResource> resources;

    /** Where the API keeps its files: {@code data/meridian/api-keys.properties}, {@code data/log/audit.jsonl}. */
    public static Path dataDirectory() {
        return Path.of(System.getProperty("karaf.data", System.getProperty("java.io.tmpdir")));
    }

    public ApiRoutes(RunningBroker running, ApiKeys keys, Path auditFile) {
        this.running = running;
        this.authentication = new ApiAuthentication(keys);
        this.audit = new AuditLog(auditFile, json);
        ClientsResource clients = new ClientsResource(running);
        MessagesResource messages = new MessagesResource(running);
        this.resources = Map.ofEntries(Map.entry("clients", clients), Map.entry("sessions", clients),
                Map.entry("bans", new BansResource(running)), Map.entry("retained", messages),
                Map.entry("publish", messages), Map.entry("listeners", new ListenersResource(running)),
                Map.entry("subscriptions", new SubscriptionsResource(running)),
                Map.entry("plugins", new PluginsResource(running)), Map.entry("config", new ConfigResource(running)),
                Map.entry("stats", new StatsResource(running)), Map.entry("traces", new TraceResource(running)));
        try (InputStream in = ApiRoutes.class.getResourceAsStream("/api/openapi.json")) {
            openApi = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the bundle lacks its api/openapi.json", e);
        }
    }

    /**
     * Answers one API request; in a cluster the answer names the node it speaks for
     * ({@code Meridian-Node}): clients, sessions and figures are this node's.
     */
    public FullHttpResponse answer(FullHttpRequest request, QueryStringDecoder uri) {
        FullHttpResponse answer = answerHere(request, uri);
        io.meridianmq.broker.Broker broker = running.broker();
        String node = broker == null ? null : broker.clusterNode();
        if (node != null) {
            answer.headers().set(NODE_HEADER, node);
        }
        return answer;
    }

    /** The response header that names the cluster node an answer speaks for. */
    static final String NODE_HEADER = "Meridian-Node";

    private FullHttpResponse answerHere(FullHttpRequest request, QueryStringDecoder uri) {
        ApiRequest r = new ApiRequest(request, uri, json);
        if (r.path.equals(List.of("openapi.json"))) {
            if (r.method.equals(HttpMethod.GET)) {
                return HttpAnswers.response(HttpResponseStatus.OK, HttpAnswers.JSON, openApi);
            }
            return HttpAnswers.problem(HttpResponseStatus.METHOD_NOT_ALLOWED, uri.path() + " takes GET");
        }
        Optional<Caller> caller = authentication.authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION),
                request.headers().get("X-API-Key"));
        if (caller.isEmpty()) {
            FullHttpResponse refused = HttpAnswers.problem(HttpResponseStatus.UNAUTHORIZED, "log in: HTTP Basic with a "
                    + "Karaf user of role viewer or admin (etc/users.properties), or an API key (Authorization: Bearer KEY)");
            if (!"meridian-console".equals(request.headers().get("X-Requested-With"))) {
                // the console asks for credentials itself; a browser would pop up its own dialog
                refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"Meridian\"");
            }
            return refused;
        }
        boolean change = !r.method.equals(HttpMethod.GET);
        try {
            if (change && !caller.get().admin()) {
                throw new ApiProblem(HttpResponseStatus.FORBIDDEN, caller.get().name() + " may read only (role viewer): "
                        + r.method + " " + uri.path() + " needs the admin role");
            }
            ApiResource resource = r.path.isEmpty() ? null : resources.get(r.path.get(0));
            if (resource == null) {
                throw r.notFound();
            }
            FullHttpResponse answer = resource.answer(r);
            if (change) {
                audit.record(caller.get(), r.method.name(), uri.path(), answer.status().code(), "done");
            }
            return answer;
        } catch (ApiProblem e) {
            if (change) { // refused changes too: an operator wants to see who tried
                audit.record(caller.get(), r.method.name(), uri.path(), e.status.code(), e.getMessage());
            }
            return HttpAnswers.problem(e.status, e.getMessage());
        }
    }
}
