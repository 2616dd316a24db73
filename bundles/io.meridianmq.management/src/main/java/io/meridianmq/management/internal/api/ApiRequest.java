package io.meridianmq.management.internal.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridianmq.management.internal.http.HttpAnswers;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * One REST API request as the resources read it: method, path segments after
 * {@code /api/v1/} (each percent-decoded), query parameters and a JSON body, each read with the
 * checks that turn a caller's mistake into a 400 or 405 that says what to change.
 *
 * <p>Threading: the management server's thread.
 */
final class ApiRequest {

    final HttpMethod method;
    /** The path's segments after the prefix ({@code clients}, {@code rest-device/1}). */
    final List<String> path;
    private final QueryStringDecoder uri;
    private final FullHttpRequest request;
    private final ObjectMapper json;

    ApiRequest(FullHttpRequest request, QueryStringDecoder uri, ObjectMapper json) {
        this.request = request;
        this.uri = uri;
        this.json = json;
        this.method = request.method();
        List<String> segments = new ArrayList<>();
        for (String s : uri.rawPath().substring(ApiRoutes.PREFIX.length()).split("/")) {
            if (!s.isEmpty()) {
                segments.add(QueryStringDecoder.decodeComponent(s));
            }
        }
        this.path = segments;
    }

    String fullPath() {
        return uri.path();
    }

    /** Refuses the request (405) unless its method is one of {@code allowed}. */
    void only(HttpMethod... allowed) throws ApiProblem {
        if (!Arrays.asList(allowed).contains(method)) {
            throw new ApiProblem(HttpResponseStatus.METHOD_NOT_ALLOWED, uri.path() + " takes "
                    + String.join(", ", Arrays.stream(allowed).map(HttpMethod::name).toList()));
        }
    }

    /** Refuses a path below the resource itself (404) and a method it does not take (405). */
    void onlyTheResource(HttpMethod... allowed) throws ApiProblem {
        if (path.size() != 1) {
            throw notFound();
        }
        only(allowed);
    }

    /** A query parameter, or null when absent or empty. */
    String param(String name) {
        List<String> v = uri.parameters().get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }

    /** A whole-number query parameter within {@code [min, max]}, {@code fallback} when absent. */
    int number(String name, int fallback, int min, int max) throws ApiProblem {
        String raw = param(name);
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
        throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, name + " is a whole number from " + min + " to " + max
                + ", not '" + raw + "'");
    }

    /** The body as a JSON object; {@code shape} shows the caller what is expected when it is not one. */
    JsonNode object(String shape) throws ApiProblem {
        JsonNode body;
        try {
            body = json.readTree(request.content().toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "the body is a JSON object: " + shape);
        }
        return body;
    }

    /** A required, non-empty string field of a JSON body. */
    static String text(JsonNode body, String field) throws ApiProblem {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "the body needs \"" + field + "\" as a non-empty string");
        }
        return v.asText();
    }

    /** 200 with {@code body} as JSON. */
    FullHttpResponse ok(Object body) throws ApiProblem {
        return answer(HttpResponseStatus.OK, body);
    }

    FullHttpResponse answer(HttpResponseStatus status, Object body) throws ApiProblem {
        try {
            return HttpAnswers.response(status, HttpAnswers.JSON, json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new ApiProblem(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write the answer: " + e.getMessage());
        }
    }

    /** No resource here. */
    ApiProblem notFound() {
        return new ApiProblem(HttpResponseStatus.NOT_FOUND, "no resource at " + uri.path() + " (see "
                + ApiRoutes.PREFIX + "openapi.json)");
    }
}
