package io.meridianmq.management.internal.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.meridianmq.broker.SessionSummary;
import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.management.internal.http.HttpAnswers;
import io.meridianmq.sdk.client.ClientInfo;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code /clients} (list with filters and paging), {@code /clients/{id}} (one, with its
 * subscriptions; DELETE kicks it: MQTT 5 DISCONNECT 0x98) and {@code /sessions}.
 */
final class ClientsResource extends ApiResource {

    private static final int MAX_PAGE_SIZE = 1000;

    ClientsResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        if (r.path.get(0).equals("sessions") && r.path.size() == 1) {
            r.only(HttpMethod.GET);
            return r.ok(sessions());
        }
        if (r.path.get(0).equals("sessions") && r.path.size() == 2) {
            r.only(HttpMethod.DELETE);
            String id = r.path.get(1);
            if (!broker().removeOfflineSession(id)) {
                boolean exists = broker().sessions().stream().anyMatch(s -> s.clientId().equals(id));
                throw exists ? new ApiProblem(HttpResponseStatus.CONFLICT, "the client '" + id
                        + "' is connected: kick it first (DELETE /clients/" + id + ")")
                        : new ApiProblem(HttpResponseStatus.NOT_FOUND, "no session of client '" + id + "'");
            }
            return HttpAnswers.empty();
        }
        if (r.path.get(0).equals("clients") && r.path.size() == 1) {
            r.only(HttpMethod.GET);
            return r.ok(clients(r));
        }
        if (r.path.get(0).equals("clients") && r.path.size() == 2) {
            String id = r.path.get(1);
            if (r.method.equals(HttpMethod.GET)) {
                return r.ok(client(id));
            }
            r.only(HttpMethod.GET, HttpMethod.DELETE);
            String reason = Optional.ofNullable(r.param("reason")).orElse("kicked by an operator");
            if (!services().disconnect(id, reason + " (REST API)")) {
                throw noClient(id);
            }
            return HttpAnswers.empty();
        }
        throw r.notFound();
    }

    private Map<String, Object> clients(ApiRequest r) throws ApiProblem {
        String text = r.param("q");
        String user = r.param("user");
        String listener = r.param("listener");
        int page = r.number("page", 1, 1, Integer.MAX_VALUE);
        int size = r.number("size", 100, 1, MAX_PAGE_SIZE);
        List<ClientInfo> all = services().connectedClients().stream()
                .filter(c -> text == null || c.clientId().contains(text))
                .filter(c -> user == null || c.username().map(user::equals).orElse(false))
                .filter(c -> listener == null || listener.equals(c.listenerName()))
                .sorted(Comparator.comparing(ClientInfo::clientId)).toList();
        List<Map<String, Object>> items = new ArrayList<>();
        all.stream().skip((long) (page - 1) * size).limit(size).forEach(c -> items.add(describe(c)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("page", page);
        body.put("size", size);
        body.put("total", all.size());
        return body;
    }

    private Map<String, Object> client(String clientId) throws ApiProblem {
        ClientInfo found = services().connectedClients().stream().filter(c -> c.clientId().equals(clientId))
                .findFirst().orElseThrow(() -> noClient(clientId));
        Map<String, Object> body = describe(found);
        body.put("subscriptions", services().subscriptions(clientId));
        return body;
    }

    private static ApiProblem noClient(String clientId) {
        return new ApiProblem(HttpResponseStatus.NOT_FOUND, "no connected client '" + clientId + "'");
    }

    private static Map<String, Object> describe(ClientInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientId", c.clientId());
        m.put("username", c.username().orElse(null));
        m.put("address", c.remoteAddress().getAddress().getHostAddress());
        m.put("port", c.remoteAddress().getPort());
        m.put("listener", c.listenerName());
        m.put("protocol", c.protocolLevel() == 5 ? "5.0" : c.protocolLevel() == 4 ? "3.1.1" : "3.1");
        return m;
    }

    private List<Map<String, Object>> sessions() throws ApiProblem {
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
}
