package io.meridianmq.management.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The web console's files ({@code /console/}: a page, its script and style, all in the bundle:
 * no CDN, it works offline), served with headers that keep them to this origin: the page may
 * load only its own files and call only this server's API, and may not be framed.
 *
 * <p>Threading: the management server's thread.
 */
final class ConsoleAssets {

    static final String PATH = "/console";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    /** The file at {@code path} ({@code /console/...}), a redirect to the page, or a 404 problem. */
    FullHttpResponse answer(String path) throws IOException {
        if (path.equals(PATH)) {
            FullHttpResponse r = HttpAnswers.response(HttpResponseStatus.MOVED_PERMANENTLY, "text/plain", "");
            r.headers().set(HttpHeaderNames.LOCATION, PATH + "/");
            return r;
        }
        String name = path.substring((PATH + "/").length());
        if (name.isEmpty()) {
            name = "index.html";
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        if (!name.matches("[a-z]+\\.(html|js|css)") || !TYPES.containsKey(extension)) {
            return HttpAnswers.problem(HttpResponseStatus.NOT_FOUND, "no console file " + path);
        }
        try (InputStream in = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                return HttpAnswers.problem(HttpResponseStatus.NOT_FOUND, "no console file " + path);
            }
            FullHttpResponse r = HttpAnswers.response(HttpResponseStatus.OK, TYPES.get(extension), in.readAllBytes());
            r.headers().set("Content-Security-Policy",
                    "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
            r.headers().set("X-Content-Type-Options", "nosniff");
            r.headers().set("X-Frame-Options", "DENY");
            return r;
        }
    }
}
