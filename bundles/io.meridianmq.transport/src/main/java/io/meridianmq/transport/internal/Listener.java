package io.meridianmq.transport.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.meridianmq.protocol.ListenerOptions;
import io.meridianmq.protocol.MqttPipeline;
import io.meridianmq.transport.ListenerStatus;
import io.meridianmq.transport.tls.TlsContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network listener, made from one factory configuration
 * ({@code etc/io.meridianmq.listener-NAME.cfg}): bind address, port and kind. Adding, changing or
 * removing such a file opens, rebinds or closes just that listener; other listeners' clients are
 * not touched.
 */
@Component(configurationPid = "io.meridianmq.listener", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {Listener.class, ListenerStatus.class}, immediate = true)
public class Listener implements ListenerStatus {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    /**
     * How large each read's buffer is, adapted per connection from what its reads filled (that
     * state is in each channel's handle): one allocator for all, where Netty makes one per
     * channel (32 bytes each: 32 MB for a million connections).
     */
    private static final AdaptiveRecvByteBufAllocator RECEIVE_SIZING = new AdaptiveRecvByteBufAllocator();

    @Reference
    private EventLoops loops;

    @Reference
    private MqttPipeline pipeline;

    private volatile Channel serverChannel;
    private volatile String name;
    private volatile ListenerSettings settings;
    /** Why it is not listening, or null once it is (or before activation). */
    private volatile String problem = "not started";
    /** Set when deactivated; a bind still waiting for the broker then does nothing (under this monitor). */
    private boolean closed;

    /** Lets accepted sockets in or closes them, by the listener's connection limits. */
    private volatile AdmissionGate gate;
    /** The configuration it was activated with, but its limits (configuration thread). */
    private Map<String, Object> unlimitedConfig;

    @Activate
    void activate(Map<String, Object> config) {
        ListenerSettings settings = ListenerSettings.from(config);
        this.settings = settings;
        gate = new AdmissionGate(settings.name(), AdmissionLimits.from(config, settings.source()));
        unlimitedConfig = withoutLimits(config);
        TlsContext tls = settings.tls() ? new TlsContext(config, settings.source()) : null;
        ListenerOptions options = new ListenerOptions(settings.identityAsUsername(), settings.subjectAsUsername());
        name = settings.name();
        String listenerName = settings.name();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.workers(), loops.workers())
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(gate)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_SIZING)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (settings.proxyProtocol() && settings.trustedProxies().trusts(ch.remoteAddress())) {
                            // a trusted proxy must send the header (one without is closed, logged)
                            ch.pipeline().addLast("proxy-header-watch", new ProxyHeaderWatch())
                                    .addLast("proxy-protocol", new HAProxyMessageDecoder())
                                    .addLast("proxy-address", new ProxiedAddress());
                        } else if (settings.proxyProtocol()) {
                            // anyone else is a direct client: a PROXY header from it is refused
                            ch.pipeline().addLast("untrusted-proxy-header",
                                    new UntrustedProxyHeaderGuard(listenerName, settings.trustedProxies()));
                        }
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.current().newHandler(ch.alloc()))
                                    .addLast("tls-outcome", new TlsHandshakeOutcome(listenerName));
                        }
                        if (settings.webSocket()) {
                            ch.pipeline().addLast("http", new HttpServerCodec())
                                    .addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
                            if (settings.allowedOrigins() != null) {
                                ch.pipeline().addLast("origin-check",
                                        new OriginCheck(listenerName, settings.allowedOrigins()));
                            }
                            ch.pipeline()
                                    .addLast("websocket", new WebSocketServerProtocolHandler(
                                            WebSocketServerProtocolConfig.newBuilder()
                                                    .websocketPath(settings.path())
                                                    .subprotocols("mqtt,mqttv3.1")
                                                    // no frame larger than the codec would take
                                                    .maxFramePayloadLength(pipeline.maxPacketSize())
                                                    .build()))
                                    .addLast("websocket-frames", new WebSocketFrames());
                        }
                        pipeline.initialize(ch, listenerName, options);
                    }
                });
        // no client before the broker is ready: one let in while a security plugin is still
        // starting would be refused, or judged without it
        problem = "waiting for the broker to be ready";
        pipeline.brokerReady().thenRun(() -> open(bootstrap, settings));
    }

    /**
     * An edit of the listener's file: one that changes only its connection limits applies them
     * at once and keeps every client; any other closes the listener and opens it anew.
     */
    @Modified
    void modified(Map<String, Object> config) {
        if (withoutLimits(config).equals(unlimitedConfig)) {
            AdmissionLimits limits = AdmissionLimits.from(config, settings.source());
            gate.limits(limits);
            LOG.info("Listener '{}': connection limits now max_connections = {}, max_connection_rate = {}, "
                    + "max_connections_per_address = {} (clients kept)", name, limits.maxConnections(),
                    limits.connectionsPerSecond(), limits.maxPerAddress());
            return;
        }
        deactivate();
        synchronized (this) {
            closed = false;
            serverChannel = null;
        }
        activate(config);
    }

    private static Map<String, Object> withoutLimits(Map<String, Object> config) {
        Map<String, Object> rest = new java.util.HashMap<>(config);
        rest.keySet().removeAll(AdmissionLimits.KEYS);
        rest.keySet().removeIf(k -> k.startsWith("felix.") || k.startsWith("component.") || k.equals("service.pid")
                || k.equals("service.factoryPid"));
        rest.replaceAll((k, v) -> v == null ? null : v.toString().trim());
        return rest;
    }

    @Override
    public Map<String, Long> refusedConnections() {
        AdmissionGate g = gate;
        return g == null ? Map.of() : g.refused();
    }

    private void open(ServerBootstrap bootstrap, ListenerSettings settings) {
        CompletableFuture<Void> guarded = pipeline.authenticationInPlace().toCompletableFuture();
        if (!guarded.isDone() && !mayOpenBeforeAuthentication(settings)) {
            // safe by default: held back, not failed, so that it opens by itself once authentication is there
            LOG.error("Listener '" + settings.name() + "' (" + settings.source() + ") is not opened on "
                    + settings.host() + ":" + settings.port() + ": it reaches beyond this machine and no "
                    + "authentication is configured. Configure a password file or another authentication plugin "
                    + "(docs/SECURITY.md), or set allow_anonymous = true in etc/io.meridianmq.broker.cfg to let "
                    + "anyone in on purpose; the listener opens as soon as one of these is done");
            problem = "held back: it reaches beyond this machine and no authentication is configured";
            guarded.thenRun(() -> {
                LOG.info("Listener '{}': authentication is configured (or allow_anonymous = true) now; opening it",
                        name);
                bind(bootstrap, settings);
            });
            return;
        }
        bind(bootstrap, settings);
    }

    /**
     * Whether the listener may open while no authentication is configured: on loopback, or when
     * a client's certificate is its identity, only this machine's or a certified client gets in.
     */
    private static boolean mayOpenBeforeAuthentication(ListenerSettings settings) {
        boolean loopback;
        try {
            loopback = InetAddress.getByName(settings.host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        return loopback || settings.identityAsUsername() || settings.subjectAsUsername();
    }

    private synchronized void bind(ServerBootstrap bootstrap, ListenerSettings settings) {
        if (closed || serverChannel != null) {
            return; // removed (or changed) while it waited for the broker
        }
        try {
            serverChannel = bootstrap.bind(settings.host(), settings.port()).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked BindException unchecked
            String msg = "Listener '" + name + "' (" + settings.source() + ") cannot listen on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage();
            LOG.error(msg);
            problem = "cannot listen: " + e.getMessage();
            return; // it runs once the broker is ready, after activation: the log line and the status tell
        }
        problem = null;
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.info("Meridian listening for MQTT on {}:{} (listener '{}', kind {}{}, {})",
                bound.getAddress().getHostAddress(), bound.getPort(), name, settings.kind(),
                (settings.webSocket() ? ", path " + settings.path() : "")
                        + (settings.proxyProtocol() ? ", PROXY protocol from " + settings.trustedProxies() : ""),
                        loops.transportName());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return settings.kind();
    }

    @Override
    public String host() {
        return settings.host();
    }

    @Override
    public int port() {
        Channel c = serverChannel;
        return c != null && c.localAddress() instanceof InetSocketAddress a ? a.getPort() : settings.port();
    }

    @Override
    public boolean tls() {
        return settings.tls();
    }

    @Override
    public boolean listening() {
        Channel c = serverChannel;
        return c != null && c.isActive();
    }

    @Override
    public String problem() {
        return listening() ? null : problem != null ? problem : "closed";
    }

    @Deactivate
    synchronized void deactivate() {
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            pipeline.closeConnections(name);
            LOG.info("Listener '{}' closed", name);
        }
    }
}
