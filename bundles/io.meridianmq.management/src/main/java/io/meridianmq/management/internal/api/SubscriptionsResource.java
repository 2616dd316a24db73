package io.meridianmq.management.internal.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.meridianmq.broker.SessionSummary;
import io.meridianmq.management.internal.RunningBroker;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code /subscriptions?client=ID} (one session's filters) or {@code ?filter=F} (the sessions
 * subscribed to exactly that filter, shared ones as {@code $share/GROUP/F}).
 */
final class SubscriptionsResource extends ApiResource {

    SubscriptionsResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        r.onlyTheResource(HttpMethod.GET);
        String client = r.param("client");
        String filter = r.param("filter");
        if ((client == null) == (filter == null)) {
            throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "ask by client=ID or by filter=FILTER (one of them)");
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (SessionSummary s : broker().sessions()) {
            if (client != null && !s.clientId().equals(client)) {
                continue;
            }
            services().subscriptions(s.clientId()).forEach((f, qos) -> {
                if (filter == null || f.equals(filter)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("clientId", s.clientId());
                    m.put("filter", f);
                    m.put("qos", qos);
                    items.add(m);
                }
            });
        }
        return r.ok(items);
    }
}
