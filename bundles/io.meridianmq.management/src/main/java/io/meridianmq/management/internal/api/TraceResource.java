package io.meridianmq.management.internal.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.protocol.MqttPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code /traces} (the clients traced now) and {@code /traces/{clientId}?minutes=N} (POST:
 * trace that client's packets into {@code data/log/trace-CLIENT.log}, as {@code meridian:trace}).
 */
final class TraceResource extends ApiResource {

    TraceResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        MqttPipeline protocol = running().protocol();
        if (protocol == null) {
            throw new ApiProblem(HttpResponseStatus.SERVICE_UNAVAILABLE, "the protocol layer is not running");
        }
        if (r.path.size() == 1) {
            r.only(HttpMethod.GET);
            Map<String, Object> traces = new LinkedHashMap<>();
            protocol.traces().forEach((id, until) -> traces.put(id, until.toString()));
            return r.ok(traces);
        }
        if (r.path.size() == 2) {
            r.only(HttpMethod.POST);
            int minutes = r.number("minutes", 10, 1, 1440);
            Path file = protocol.trace(r.path.get(1), Duration.ofMinutes(minutes));
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("clientId", r.path.get(1));
            answer.put("minutes", minutes);
            answer.put("file", file.toString());
            return r.ok(answer);
        }
        throw r.notFound();
    }
}
