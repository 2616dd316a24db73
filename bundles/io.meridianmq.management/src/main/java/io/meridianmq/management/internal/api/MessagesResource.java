package io.meridianmq.management.internal.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.management.internal.http.HttpAnswers;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.service.RetainedMessageView;
import io.meridianmq.sdk.topic.Topics;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code /retained} (list by {@code filter}), {@code /retained/{topic}} (read one; DELETE clears
 * it) and {@code /publish} (POST a message as the broker). Payloads go as UTF-8 text
 * ({@code payload}) or base64 ({@code payloadBase64}).
 */
final class MessagesResource extends ApiResource {

    private static final String SHAPE = "{\"topic\": \"...\", \"payload\": \"text\" or \"payloadBase64\": \"...\", "
            + "\"qos\": 0, \"retain\": false}";

    MessagesResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        if (r.path.get(0).equals("publish") && r.path.size() == 1) {
            r.only(HttpMethod.POST);
            publish(r);
            return HttpAnswers.empty();
        }
        if (r.path.get(0).equals("retained") && r.path.size() == 1) {
            r.only(HttpMethod.GET);
            String filter = r.param("filter") == null ? "#" : r.param("filter");
            if (!Topics.isValidTopicFilter(filter)) {
                throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "not a valid topic filter: '" + filter + "'");
            }
            int limit = r.number("limit", 100, 1, 10_000);
            List<Map<String, Object>> items = new ArrayList<>();
            for (RetainedMessageView m : services().retained(filter, limit)) {
                items.add(describe(m));
            }
            return r.ok(items);
        }
        if (r.path.get(0).equals("retained") && r.path.size() == 2) {
            String topic = r.path.get(1);
            if (!Topics.isValidTopicName(topic)) {
                throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "not a valid topic name: '" + topic + "'");
            }
            List<RetainedMessageView> found = services().retained(topic, 1);
            if (found.isEmpty()) {
                throw new ApiProblem(HttpResponseStatus.NOT_FOUND, "no retained message on '" + topic + "'");
            }
            if (r.method.equals(HttpMethod.GET)) {
                return r.ok(describe(found.get(0)));
            }
            r.only(HttpMethod.GET, HttpMethod.DELETE);
            services().publish(topic, new byte[0], 0, true, PublishProperties.NONE); // an empty retained message clears it
            return HttpAnswers.empty();
        }
        throw r.notFound();
    }

    private void publish(ApiRequest r) throws ApiProblem {
        JsonNode body = r.object(SHAPE);
        String topic = ApiRequest.text(body, "topic");
        if (!Topics.isValidTopicName(topic)) {
            throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "not a valid topic name: '" + topic + "'");
        }
        byte[] payload;
        if (body.hasNonNull("payloadBase64")) {
            try {
                payload = Base64.getDecoder().decode(body.get("payloadBase64").asText());
            } catch (IllegalArgumentException e) {
                throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "payloadBase64 is not base64: " + e.getMessage());
            }
        } else {
            payload = body.path("payload").asText("").getBytes(StandardCharsets.UTF_8);
        }
        int qos = body.path("qos").asInt(0);
        if (!body.path("qos").isMissingNode() && (!body.get("qos").isInt() || qos < 0 || qos > 2)) {
            throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "qos is 0, 1 or 2");
        }
        services().publish(topic, payload, qos, body.path("retain").asBoolean(false), PublishProperties.NONE);
    }

    private static Map<String, Object> describe(RetainedMessageView m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("topic", m.topic());
        d.put("qos", m.qos());
        d.put("bytes", m.payload().length);
        d.put("payloadBase64", Base64.getEncoder().encodeToString(m.payload()));
        d.put("payload", isUtf8(m.payload()) ? new String(m.payload(), StandardCharsets.UTF_8) : null); // text, when it is
        return d;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
