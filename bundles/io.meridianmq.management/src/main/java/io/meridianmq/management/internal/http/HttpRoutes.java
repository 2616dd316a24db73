package io.meridianmq.management.internal.http;

import java.util.List;

import io.meridianmq.management.internal.api.ApiRoutes;
import io.meridianmq.management.internal.metrics.MetricsExposition;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

import static io.meridianmq.management.internal.http.HttpAnswers.JSON;
import static io.meridianmq.management.internal.http.HttpAnswers.problem;
import static io.meridianmq.management.internal.http.HttpAnswers.response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the management server's requests by path: {@code /metrics} (Prometheus text format),
 * {@code /health/live} and {@code /health/ready} (200 or 503 with a JSON body). Anything else
 * gets an RFC 9457 problem document (404, or 405 for a method a path does not take); a failure
 * inside is a 500 problem and a log line, never a dropped connection.
 *
 * <p>Threading: the management server's event loop (one thread, never an MQTT event loop).
 */
@Sharable
final class HttpRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRoutes.class);

    private final MetricsExposition metrics;
    private final Readiness readiness;
    private final ApiRoutes api;
    private final ConsoleAssets console = new ConsoleAssets();

    HttpRoutes(MetricsExposition metrics, Readiness readiness, ApiRoutes api) {
        this.metrics = metrics;
        this.readiness = readiness;
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        try {
            if (path.startsWith(ApiRoutes.PREFIX)) {
                response = api.answer(request, uri);
            } else if ((path.equals(ConsoleAssets.PATH) || path.startsWith(ConsoleAssets.PATH + "/"))
                    && request.method().equals(HttpMethod.GET)) {
                response = console.answer(path);
            } else {
                response = answer(request.method(), path);
            }
        } catch (Exception e) {
            LOG.error("Management request {} {} failed", request.method(), path, e);
            response = problem(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the server failed to answer: " + e);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse answer(HttpMethod method, String path) throws Exception {
        boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
        if (!known) {
            return problem(HttpResponseStatus.NOT_FOUND, "no resource at " + path
                    + " (this server answers /metrics, /health/live, /health/ready, /api/v1/ and /console/)");
        }
        if (!method.equals(HttpMethod.GET)) {
            FullHttpResponse r = problem(HttpResponseStatus.METHOD_NOT_ALLOWED, path + " takes GET only");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            return r;
        }
        return switch (path) {
            case "/metrics" -> response(HttpResponseStatus.OK, metrics.contentType(), metrics.scrape());
            case "/health/live" -> response(HttpResponseStatus.OK, JSON, "{\"status\":\"UP\"}");
            default -> {
                List<Readiness.Check> checks = readiness.checks();
                yield response(Readiness.allUp(checks) ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        JSON, Readiness.json(checks));
            }
        };
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Management connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
