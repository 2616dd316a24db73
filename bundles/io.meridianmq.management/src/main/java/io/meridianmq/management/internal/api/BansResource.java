package io.meridianmq.management.internal.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.Bans;
import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.management.internal.http.HttpAnswers;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/** {@code /bans} (list; POST adds one) and {@code /bans/{kind}/{value}} (DELETE removes it). */
final class BansResource extends ApiResource {

    private static final String SHAPE = "{\"kind\": \"clientid\", \"value\": \"...\", \"minutes\": 60, \"reason\": \"...\"}";

    BansResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        if (r.path.size() == 1) {
            r.only(HttpMethod.GET, HttpMethod.POST);
            return r.method.equals(HttpMethod.GET) ? r.ok(list()) : r.answer(HttpResponseStatus.CREATED, add(r));
        }
        if (r.path.size() == 3) {
            r.only(HttpMethod.DELETE);
            remove(r.path.get(1), r.path.get(2));
            return HttpAnswers.empty();
        }
        throw r.notFound();
    }

    private List<Map<String, Object>> list() throws ApiProblem {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Ban b : broker().bans().list()) {
            items.add(describe(b));
        }
        return items;
    }

    private static Map<String, Object> describe(Ban b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", b.kind().word());
        m.put("value", b.value());
        m.put("until", b.until() == null ? null : b.until().toString());
        m.put("reason", b.reason());
        m.put("by", b.by());
        m.put("at", b.at().toString());
        return m;
    }

    private Map<String, Object> add(ApiRequest r) throws ApiProblem {
        JsonNode body = r.object(SHAPE);
        Ban.Kind kind;
        try {
            kind = Ban.Kind.of(ApiRequest.text(body, "kind"));
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "kind: " + e.getMessage());
        }
        String value = ApiRequest.text(body, "value");
        Duration duration = null;
        if (body.hasNonNull("minutes")) {
            if (!body.get("minutes").canConvertToLong() || body.get("minutes").asLong() < 1) {
                throw new ApiProblem(HttpResponseStatus.BAD_REQUEST,
                        "minutes is a whole number from 1 on (leave it out to ban until removed)");
            }
            duration = Duration.ofMinutes(body.get("minutes").asLong());
        }
        String reason = body.hasNonNull("reason") ? body.get("reason").asText() : null;
        Bans.Added added = broker().bans().add(kind, value, duration, reason, "REST API");
        Map<String, Object> answer = describe(added.ban());
        answer.put("disconnected", added.disconnected());
        return answer;
    }

    private void remove(String kind, String value) throws ApiProblem {
        Ban.Kind k;
        try {
            k = Ban.Kind.of(kind);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(HttpResponseStatus.NOT_FOUND, "no bans of kind " + e.getMessage());
        }
        if (!broker().bans().remove(k, value)) {
            throw new ApiProblem(HttpResponseStatus.NOT_FOUND, "no ban of " + k.word() + " '" + value + "'");
        }
    }
}
