package io.meridianmq.protocol.internal;

import java.io.IOException;
import java.net.InetSocketAddress;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.protocol.ListenerOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import static io.meridianmq.protocol.internal.PacketProperties.packetId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty handler and packet dispatch of one MQTT 3.1, 3.1.1 or 5.0 connection: CONNECT first
 * and once, the way to CONNACK in its {@link ConnectHandshake}, then the accepted client's packets
 * handed to {@link SessionPackets}; the core reaches the client through its {@link ClientPort}.
 * Every method runs on the channel's event loop, so no state here is locked (the one exception,
 * {@link #close}, moves onto it first). MQTT 5 specifics stay in this layer; the core sees one
 * version-neutral model.
 *
 * <p>Whatever a client does wrong ends in a close (for MQTT 5 after a DISCONNECT or CONNACK with
 * the specification's reason code) and one log line naming the client and the reason; nothing
 * reaches other clients.
 */
final class MqttConnection extends ListedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    static final String IDLE_HANDLER = "idle";
    static final String FRAMER = "mqtt-framer";
    /** Netty's MQTT codec keeps the negotiated version under this channel attribute. */
    private static final AttributeKey<Object> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private enum State { AWAITING_CONNECT, AUTHENTICATING, CONNECTING, CONNECTED, CLOSED }

    private final Broker broker;
    private final String listenerName;
    private final ProtocolSettings settings;
    private State state = State.AWAITING_CONNECT;
    private ClientSession session;
    private String clientId;
    private int protocolLevel;
    /** The codec's version attribute as the accepted CONNECT set it (a later CONNECT would change it). */
    private Object codecVersion;
    /** How the connection ends: will, DISCONNECT's session expiry, why. */
    private final ConnectionEnd end = new ConnectionEnd();
    private final EarlyPackets earlyPackets = new EarlyPackets();

    // MQTT 5 connection state
    private boolean v5;
    private long connectSessionExpiry;
    private BrokerCapabilities capabilities = new BrokerCapabilities(2, true);
    /** From CONNECT to the broker's answer (created with the channel). */
    private ConnectHandshake handshake;
    /** The accepted client's packets mapped onto its session (null before CONNACK). */
    private SessionPackets packets;

    /** Ends the connection when the client's credentials expire (unless it re-authenticates first). */
    private CredentialsExpiry credentialsExpiry;
    /** Ends the connection after 1.5 times the keep alive without a packet (null: keep alive 0, or before CONNACK). */
    private KeepAliveTimer keepAliveTimer;

    private final ConnectionCounters counters;
    private final PacketTrace trace;
    private boolean counted;

    private final ListenerOptions options;
    /** The publish rate limits in force, read at each PUBLISH, and whether the broker is overloaded. */
    private final LoadLimits load;
    private ReadPause readPause;
    /** Holds the client to its publish rate (made at its first PUBLISH). */
    private PublishThrottle throttle;

    MqttConnection(Broker broker, String listenerName, ProtocolSettings settings,
            ConnectionCounters counters, PacketTrace trace, ListenerOptions options, LoadLimits load) {
        this.load = load;
        this.trace = trace;
        this.options = options;
        this.broker = broker;
        this.listenerName = listenerName;
        this.settings = settings;
        this.counters = counters;
    }

    // ---- naming the client in logs ----

    /** The client's address (from a PROXY protocol header when the listener uses one). */
    InetSocketAddress remote() {
        return ClientAddress.of(channel);
    }

    ReadPause readPause() {
        return readPause;
    }

    String who() {
        return ClientAddress.describe(channel, clientId);
    }

    // ---- Netty events ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        readPause = new ReadPause(channel);
        handshake = new ConnectHandshake(this, channel, broker, listenerName, settings, options, counters, load);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        MqttMessage message = (MqttMessage) msg;
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (message.decoderResult().isFailure()) {
                onDecodeFailure(message.decoderResult().cause());
                return;
            }
            if (state == State.CONNECTING && message.fixedHeader().messageType() != MqttMessageType.CONNECT) {
                if (!earlyPackets.hold(message)) {
                    protocolViolation("sent more than " + EarlyPackets.MAX + " packets before CONNACK");
                }
                return;
            }
            handle(message);
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (keepAliveTimer != null) {
            keepAliveTimer.read();
        }
        ctx.flush();
        if (throttle != null) {
            throttle.readComplete();
        }
    }

    /** Counts the connection from accept on: those still before CONNACK hold max_connections places too. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        counters.opened();
        listed();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        unlisted();
        if (counted) {
            counted = false;
            counters.open.decrementAndGet();
        }
        earlyPackets.releaseAll();
        if (keepAliveTimer != null) {
            keepAliveTimer.stop();
        }
        if (credentialsExpiry != null) {
            credentialsExpiry.cancel();
        }
        if (session != null) {
            if (ClientLines.on()) {
                ClientLines.ended(who(), end.describe());
            }
            counters.disconnected(end.kind());
            session.disconnected(end.publishWill(), end.sessionExpiry());
        } else if (was == State.AWAITING_CONNECT && !end.hasReason()) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("Connection of client {} closed before CONNECT", who());
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // the connect deadline (ConnectDeadline) before CONNACK; keep alive is KeepAliveTimer's
        if (evt instanceof IdleStateEvent && state != State.CONNECTED) {
            if (handshake != null && handshake.deciding()) {
                // the broker's answer (bounded by the plugins' timeouts) is on its way: wait for it
                handshake.deadlinePassedWhileDeciding();
            } else if (state == State.AWAITING_CONNECT) {
                closeWithReason("no complete CONNECT within connect_timeout (" + settings.connectTimeoutSeconds()
                        + " s from accept)");
            } else {
                closeWithReason("not accepted within connect_timeout (" + settings.connectTimeoutSeconds()
                        + " s from accept): authentication still running");
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            onDecodeFailure(cause);
        } else if (cause instanceof IOException) {
            end.because("network error: " + cause.getMessage(), "network_error");
            channel.close();
        } else {
            LOG.error("Internal error on the connection of client {}; closing it", who(), cause);
            serverDisconnect(DisconnectReason.IMPLEMENTATION_SPECIFIC_ERROR, "internal error");
        }
    }

    private void onDecodeFailure(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        DecodeFailure failure = DecodeFailure.of(cause, state == State.AWAITING_CONNECT, codecIsV5());
        if (failure.refusal() != null) {
            refuseConnect(failure.refusal(), failure.reason());
        } else {
            serverDisconnect(failure.disconnect(), failure.reason());
        }
    }

    /** Whether the decoder has seen an MQTT 5 CONNECT (even one that then failed to decode). */
    private boolean codecIsV5() {
        Object version = ChannelAttributes.peek(channel, CODEC_VERSION);
        return v5 || (version != null && version.toString().equals("MQTT_5"));
    }

    // ---- packets ----

    private void handle(MqttMessage message) {
        MqttMessageType type = message.fixedHeader().messageType();
        if (type == MqttMessageType.CONNECT) {
            if (state != State.AWAITING_CONNECT) {
                protocolViolation("sent a second CONNECT");
                return;
            }
            onConnect((MqttConnectMessage) message);
            return;
        }
        if (state == State.AWAITING_CONNECT) {
            protocolViolation("sent " + type + " before CONNECT");
            return;
        }
        if (state == State.AUTHENTICATING && type != MqttMessageType.AUTH) {
            protocolViolation("sent " + type + " during enhanced authentication");
            return;
        }
        switch (type) {
            case PUBLISH -> {
                MqttPublishMessage publish = (MqttPublishMessage) message;
                if (throttle == null) { // made at the first PUBLISH: an idle or subscribing client needs none
                    throttle = new PublishThrottle(channel, readPause, load::publishLimits, counters);
                }
                throttle.published(publish.payload().readableBytes());
                packets.publish(publish);
            }
            case PUBACK -> session.acknowledge(packetId(message));
            case PUBREC -> session.received(packetId(message));
            case PUBREL -> packets.release(packetId(message));
            case PUBCOMP -> session.complete(packetId(message));
            case SUBSCRIBE -> packets.subscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> packets.unsubscribe((MqttUnsubscribeMessage) message);
            case PINGREQ -> channel.write(ServerPackets.pingResp());
            case DISCONNECT -> onDisconnect(message);
            case AUTH -> onAuth(message);
            default -> protocolViolation("sent " + type + ", which only a server may send");
        }
    }

    private void onConnect(MqttConnectMessage connect) {
        codecVersion = ChannelAttributes.peek(channel, CODEC_VERSION);
        protocolLevel = connect.variableHeader().version();
        v5 = protocolLevel == 5;
        clientId = connect.payload().clientIdentifier();
        capabilities = broker.capabilities();
        if (traceIfTraced()) {
            trace.packet(clientId, "in ", connect);
        }
        handshake.begin(connect, capabilities);
    }

    void onEventLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    /** AUTH from the client: the next step of the exchange, or the start of a re-authentication. */
    private void onAuth(MqttMessage message) {
        EnhancedAuthentication authentication = handshake == null ? null : handshake.authentication();
        if (!v5 || authentication == null) {
            protocolViolation(v5 ? "sent AUTH but connected without an authentication method"
                    : "sent AUTH outside MQTT 5");
            return;
        }
        authentication.onAuth(message, state == State.CONNECTED, handshake.client(clientId));
    }

    /**
     * Starts tracing this connection's packets if its client is traced (and is not already);
     * true when it is traced. Event loop.
     */
    boolean traceIfTraced() {
        if (state == State.CLOSED || !trace.traces(clientId)) {
            return false;
        }
        TraceHandler.insertBefore(channel.pipeline().context(this), trace, clientId);
        return true;
    }

    // ---- what the handshake and the enhanced authentication exchange ask of their connection ----

    boolean isClosed() {
        return state == State.CLOSED;
    }

    /** The CONNECT asked for enhanced authentication: only AUTH is taken until it ends. */
    void authenticating() {
        state = State.AUTHENTICATING;
    }

    /** The broker decides on the CONNECT: packets that come meanwhile are held for after CONNACK. */
    void connecting() {
        state = State.CONNECTING;
    }

    void writeAndFlush(MqttMessage message) {
        channel.writeAndFlush(message);
    }

    /** A re-authentication succeeded: the session goes on as the new identity, with its credentials' expiry. */
    io.meridianmq.sdk.client.ClientInfo reauthenticated(io.meridianmq.sdk.auth.Identity identity) {
        io.meridianmq.sdk.client.ClientInfo now = session.reauthenticated(identity);
        watchCredentialsExpiry(now);
        return now;
    }

    /** The broker accepted the client: CONNACK, keep alive, and the packets held meanwhile. */
    void accepted(ConnectResult result, ConnectPacket connect, MqttProperties connAckProperties) {
        int keepAlive = connect.keepAlive;
        session = result.session();
        clientId = result.clientId();
        connectSessionExpiry = connect.sessionExpiry;
        packets = new SessionPackets(this, channel, session, v5, capabilities,
                v5 ? new InboundFlow(settings.topicAliasMaximum(), settings.receiveMaximum()) : null);
        state = State.CONNECTED;
        counters.accepted();
        traceIfTraced(); // the id may be one the broker assigned
        channel.pipeline().remove(IDLE_HANDLER); // the connect deadline
        if (channel.pipeline().get(FRAMER) instanceof PacketFramer framer) {
            framer.accepted(); // authenticated: max_packet_size from now on
        }
        if (keepAlive > 0) {
            keepAliveTimer = new KeepAliveTimer(channel.eventLoop(), keepAlive * 1500L, () -> serverDisconnect(
                    DisconnectReason.KEEP_ALIVE_TIMEOUT, "keep-alive timeout (no packet within 1.5 times the keep alive)"));
        }
        channel.writeAndFlush(ServerPackets.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, result.sessionPresent(),
                connAckProperties));
        io.meridianmq.sdk.client.ClientInfo client = session.client();
        if (ClientLines.on()) {
            ClientLines.connected(who(), ConnectPacket.protocolName(protocolLevel)
                    + (Boolean.TRUE.equals(ChannelAttributes.peek(channel, PacketFramer.BRIDGE)) ? ", bridge" : ""),
                    result.sessionPresent(), keepAlive, listenerName, client);
        }
        watchCredentialsExpiry(client);
        if (handshake.authentication() == null) {
            handshake = null; // only an enhanced authentication goes on (re-authentication); the CONNECT can go
        }
        session.open();
        for (MqttMessage m; state == State.CONNECTED && (m = earlyPackets.next()) != null;) {
            try {
                handle(m);
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
        channel.flush();
    }

    /**
     * (Re)arms the timer that ends the connection when the credentials expire. An MQTT 5 client
     * that re-authenticates before then keeps its connection; the others are told why (0xA0).
     */
    private void watchCredentialsExpiry(io.meridianmq.sdk.client.ClientInfo client) {
        if (credentialsExpiry == null && client.credentialsExpireAt().isEmpty()) {
            return; // nothing to watch (a re-authentication that brings an expiry makes the watch)
        }
        if (credentialsExpiry == null) {
            credentialsExpiry = new CredentialsExpiry(channel.eventLoop(), until -> {
                if (state == State.CONNECTED) {
                    serverDisconnect(DisconnectReason.MAXIMUM_CONNECT_TIME, "credentials expired at " + until
                            + (v5 && handshake != null && handshake.authentication() != null
                                    ? " and the client did not re-authenticate" : ""));
                }
            });
        }
        credentialsExpiry.watch(client);
    }

    private void onDisconnect(MqttMessage message) {
        String violation = end.clientDisconnect(message, v5, connectSessionExpiry);
        if (violation != null) {
            serverDisconnect(DisconnectReason.PROTOCOL_ERROR, violation);
            return;
        }
        channel.close();
    }

    // ---- ending connections ----

    void refuseConnect(MqttConnectReturnCode code, String reason) {
        refuseConnect(code, reason, reason);
    }

    /** Refuses the CONNECT: {@code reason} goes to the log, {@code told} to the client. */
    void refuseConnect(MqttConnectReturnCode code, String reason, String told) {
        LOG.warn("Connection of client {} refused: {} (CONNACK return code {})", who(), reason,
                String.format("0x%02X", code.byteValue() & 0xFF));
        end.because(reason, (String) null);
        state = State.CLOSED;
        counters.refused(code);
        // a CONNACK code of 0x80 or more is MQTT 5's (also when the codec failed before knowing the version)
        MqttProperties props = v5 || (code.byteValue() & 0xFF) >= 0x80 ? ServerPackets.withReasonString(told)
                : MqttProperties.NO_PROPERTIES;
        channel.writeAndFlush(ServerPackets.connAck(code, false, props)).addListener(ChannelFutureListener.CLOSE);
    }

    void protocolViolation(String what) {
        serverDisconnect(DisconnectReason.PROTOCOL_ERROR, "protocol violation: " + what);
    }

    /**
     * Ends the connection: an MQTT 5 client that has been accepted first gets a DISCONNECT with
     * the reason code; the will is published (the client did not disconnect normally).
     */
    void serverDisconnect(DisconnectReason reason, String detail) {
        if (state == State.CLOSED || !channel.isActive()) {
            end.because(detail, reason);
            channel.close();
            return;
        }
        if (end.because(detail, reason)) {
            LOG.warn("Closing the connection of client {}: {}{}", who(), detail,
                    v5 ? String.format(" (DISCONNECT reason code 0x%02X)", reason.code()) : "");
        }
        if (v5 && state == State.CONNECTED) {
            // a later CONNECT (even a malformed one) made Netty's codec take its version: answer in the accepted one's
            channel.attr(CODEC_VERSION).set(codecVersion);
            channel.writeAndFlush(ServerPackets.disconnect(reason.code(), detail)).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
        if (state != State.CONNECTED && state != State.CONNECTING) {
            state = State.CLOSED;
        }
    }

    void closeWithReason(String reason) {
        serverDisconnect(DisconnectReason.PROTOCOL_ERROR, reason);
    }

    /** Ends the connection from any thread (the broker shutting down): MQTT 5 clients are told why. */
    void close(DisconnectReason reason, String detail) {
        onEventLoop(() -> serverDisconnect(reason, detail));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ClientSession s = session;
        if (s != null && state == State.CONNECTED) {
            s.writabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }
}
