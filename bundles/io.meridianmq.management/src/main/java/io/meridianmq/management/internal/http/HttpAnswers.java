package io.meridianmq.management.internal.http;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The management server's responses: a body with its content type, never cached, and RFC 9457
 * problem documents ({@code application/problem+json}) for whatever went wrong, with a detail
 * that tells the caller what to change.
 */
public final class HttpAnswers {

    public static final String JSON = "application/json";
    private static final String PROBLEM = "application/problem+json";

    private HttpAnswers() {
    }

    public static FullHttpResponse problem(HttpResponseStatus status, String detail) {
        return response(status, PROBLEM, "{\"type\":\"about:blank\",\"title\":" + JsonText.quote(status.reasonPhrase())
                + ",\"status\":" + status.code() + ",\"detail\":" + JsonText.quote(detail) + "}");
    }

    public static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        return response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    /** 204 No Content. */
    public static FullHttpResponse empty() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }
}
