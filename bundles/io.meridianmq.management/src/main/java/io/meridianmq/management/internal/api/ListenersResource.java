package io.meridianmq.management.internal.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.transport.ListenerStatus;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;

/** {@code /listeners}: each MQTT listener with its kind, address, TLS and state. */
final class ListenersResource extends ApiResource {

    ListenersResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        r.onlyTheResource(HttpMethod.GET);
        List<Map<String, Object>> items = new ArrayList<>();
        List<ListenerStatus> all = new ArrayList<>(running().listeners());
        all.sort(Comparator.comparing(ListenerStatus::name));
        for (ListenerStatus l : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("kind", l.kind());
            m.put("host", l.host());
            m.put("port", l.port());
            m.put("tls", l.tls());
            m.put("listening", l.listening());
            m.put("problem", l.problem());
            items.add(m);
        }
        return r.ok(items);
    }
}
