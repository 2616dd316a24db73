package io.meridianmq.transport.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.Broker;
import io.meridianmq.protocol.ListenerOptions;
import io.meridianmq.protocol.MqttPipeline;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
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
        service = Listener.class, immediate = true)
public class Listener {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    @Reference
    private EventLoops loops;

    @Reference
    private MqttPipeline pipeline;

    @Reference
    private Broker broker;

    /** How often a listener held back for want of authentication checks again. */
    private static final long SAFETY_RECHECK_SECONDS = 2;

    private volatile Channel serverChannel;
    private String name;
    private volatile boolean closed;
    private ScheduledFuture<?> recheck;

    @Activate
    void activate(Map<String, Object> config) {
        ListenerSettings settings = ListenerSettings.from(config);
        TlsContext tls = settings.tls() ? new TlsContext(config, settings.source()) : null;
        ListenerOptions options = new ListenerOptions(settings.identityAsUsername(), settings.subjectAsUsername());
        name = settings.name();
        String listenerName = settings.name();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.acceptors(), loops.workers())
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
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
        String unsafe = unsafeWithoutAuthentication(settings);
        if (unsafe != null) {
            // safe by default: held back, not failed, so that it opens by itself once authentication is there
            LOG.error(unsafe);
            recheck = loops.workers().scheduleWithFixedDelay(() -> {
                if (!closed && serverChannel == null && unsafeWithoutAuthentication(settings) == null) {
                    synchronized (this) {
                        if (!closed && serverChannel == null) {
                            LOG.info("Listener '{}': authentication is configured (or allow_anonymous = true) now; "
                                    + "opening it", name);
                            bind(bootstrap, settings);
                        }
                    }
                    recheck.cancel(false);
                }
            }, SAFETY_RECHECK_SECONDS, SAFETY_RECHECK_SECONDS, TimeUnit.SECONDS);
            return;
        }
        bind(bootstrap, settings);
    }

    /**
     * Why the listener must not open, or null: beyond loopback, with no authentication and
     * without {@code allow_anonymous = true}, anyone on the network could try it.
     */
    private String unsafeWithoutAuthentication(ListenerSettings settings) {
        boolean loopback;
        try {
            loopback = InetAddress.getByName(settings.host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (loopback || settings.identityAsUsername() || settings.subjectAsUsername()
                || broker.authenticationConfigured() || broker.anonymousAllowedEverywhere()) {
            return null;
        }
        return "Listener '" + settings.name() + "' (" + settings.source() + ") is not opened on " + settings.host()
                + ":" + settings.port() + ": it reaches beyond this machine and no authentication is configured. "
                + "Configure a password file or another authentication plugin (docs/SECURITY.md), or set "
                + "allow_anonymous = true in etc/io.meridianmq.broker.cfg to let anyone in on purpose; the "
                + "listener opens as soon as one of these is done";
    }

    private synchronized void bind(ServerBootstrap bootstrap, ListenerSettings settings) {
        try {
            serverChannel = bootstrap.bind(settings.host(), settings.port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            String msg = "Listener '" + name + "' (" + settings.source() + ") cannot listen on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage();
            LOG.error(msg);
            throw new IllegalStateException(msg, e);
        }
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.info("Meridian listening for MQTT on {}:{} (listener '{}', kind {}{}, {})",
                bound.getAddress().getHostAddress(), bound.getPort(), name, settings.kind(),
                (settings.webSocket() ? ", path " + settings.path() : "")
                        + (settings.proxyProtocol() ? ", PROXY protocol from " + settings.trustedProxies() : ""),
                        loops.transportName());
    }

    @Deactivate
    synchronized void deactivate() {
        closed = true;
        if (recheck != null) {
            recheck.cancel(false);
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            pipeline.closeConnections(name);
            LOG.info("Listener '{}' closed", name);
        }
    }
}
