package io.meridianmq.management.internal.http;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.management.internal.api.ApiKeys;
import io.meridianmq.management.internal.api.ApiRoutes;
import io.meridianmq.management.internal.metrics.MetricsExposition;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management HTTP listener ({@code etc/io.meridianmq.management.cfg}, default
 * 127.0.0.1:8181): metrics and health for operators and their tools. It has its own event loop
 * (one thread, {@code meridian-management}), never the MQTT event loops, and runs without the
 * broker: while the broker core is not running, readiness says so and metrics show the JVM's.
 * A bad setting is refused with a log line and the server stays off; MQTT is not affected.
 *
 * <p>Threading: {@link #start} and {@link #stop} on the component runtime's thread; requests on
 * the management event loop.
 */
public final class ManagementServer {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    /** The largest request body taken (the API's JSON bodies are small). */
    private static final int MAX_REQUEST_BYTES = 1 << 20;

    private final RunningBroker running;
    private final String version;
    /** The component runtime's thread only (start, stop). */
    private EventLoopGroup loop;
    private Channel serverChannel;

    public ManagementServer(RunningBroker running, String version) {
        this.running = running;
        this.version = version;
    }

    /** Opens the listener with {@code config}'s settings; a bad one is logged and the listener stays off. */
    public void start(Map<String, Object> config) {
        ManagementSettings settings;
        try {
            settings = ManagementSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the management listener (metrics, health, API, console) is off until this is fixed; "
                    + "MQTT is not affected",
                    e.getMessage());
            return;
        }
        MetricsExposition metrics = new MetricsExposition(running::broker, running::protocol, running::ioThreads, running::listeners,
                version);
        java.nio.file.Path data = ApiRoutes.dataDirectory();
        ApiRoutes api = new ApiRoutes(running, new ApiKeys(data.resolve("meridian/api-keys.properties")),
                data.resolve("log/audit.jsonl"));
        HttpRoutes routes = new HttpRoutes(metrics, new Readiness(running::broker, running::listeners), api);
        loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("meridian-management", true),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (settings.tls() != null) {
                            ch.pipeline().addLast("tls", settings.tls().current().newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("idle", new ReadTimeoutHandler(60, TimeUnit.SECONDS))
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast("routes", routes);
                    }
                });
        try {
            serverChannel = bootstrap.bind(settings.host(), settings.port()).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked BindException unchecked
            LOG.error("The management server cannot listen on {}:{} ({}): {}; metrics and health are off, MQTT is "
                    + "not affected", settings.host(), settings.port(), settings.source(), e.getMessage());
            stop();
            return;
        }
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.info("Meridian management on {}://{}:{} (/metrics, /health/live, /health/ready, /api/v1/)",
                settings.tls() != null ? "https" : "http", bound.getAddress().getHostAddress(), bound.getPort());
    }

    /** Closes the listener (and its thread). */
    public void stop() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            serverChannel = null;
        }
        if (loop != null) {
            loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            loop = null;
        }
    }
}
