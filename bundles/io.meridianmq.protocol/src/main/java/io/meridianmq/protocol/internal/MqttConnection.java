package io.meridianmq.protocol.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import static io.meridianmq.protocol.internal.PacketProperties.packetId;
import static io.meridianmq.protocol.internal.PacketProperties.unsignedIntProperty;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one MQTT 3.1, 3.1.1 or 5.0 connection: CONNECT first and once, then
 * packets mapped onto the broker core's {@link ClientSession}; the core reaches the client
 * through its {@link ClientPort}. Every method runs on the channel's event loop,
 * so no state here is locked. MQTT 5 specifics (properties, reason codes, topic aliases, flow
 * control, maximum packet size) stay in this class; the core sees one version-neutral model.
 *
 * <p>Whatever a client does wrong ends in a close (for MQTT 5 after a DISCONNECT or CONNACK with
 * the specification's reason code) and one log line naming the client and the reason; nothing
 * reaches other clients.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    static final String IDLE_HANDLER = "idle";
    static final String FRAMER = "mqtt-framer";
    /** Netty's MQTT codec keeps the negotiated version under this channel attribute. */
    private static final AttributeKey<Object> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    private static final InetSocketAddress UNKNOWN_ADDRESS = new InetSocketAddress(0);

    private enum State { AWAITING_CONNECT, AUTHENTICATING, CONNECTING, CONNECTED, CLOSED }

    private final Broker broker;
    private final String listenerName;
    private final ProtocolSettings settings;
    private Channel channel;
    private State state = State.AWAITING_CONNECT;
    private ClientSession session;
    private String clientId;
    private int protocolLevel;
    private boolean publishWill = true;
    private long disconnectSessionExpiry = -1;
    private String closeReason;
    private final EarlyPackets earlyPackets = new EarlyPackets();

    // MQTT 5 connection state
    private boolean v5;
    private long connectSessionExpiry;
    /** Topic aliases and the receive maximum of an MQTT 5 client (null for MQTT 3). */
    private InboundFlow inboundFlow;
    private BrokerCapabilities capabilities = new BrokerCapabilities(2, true);

    /** MQTT 5 enhanced authentication, when the client asked for it (null otherwise). */
    private EnhancedAuthentication authentication;
    /**
     * Whether the broker is deciding about this connection (authentication, a damped refusal):
     * its answer is bounded by the plugins' timeouts, so connect_timeout waits for it. Event loop.
     */
    private int deciding;
    /** connect_timeout passed while the broker was deciding: the client gets no further turn. Event loop. */
    private boolean deadlinePassed;
    /** What CONNECT asked for, kept while the AUTH exchange runs. */
    private Runnable connectAfterAuthentication;
    private ConnectRequest pendingRequest;
    /** Ends the connection when the client's credentials expire (unless it re-authenticates first). */
    private CredentialsExpiry credentialsExpiry;

    private final java.util.concurrent.atomic.AtomicInteger connectedClients;
    private boolean counted;

    private final io.meridianmq.protocol.ListenerOptions options;

    MqttConnection(Broker broker, String listenerName, ProtocolSettings settings,
            java.util.concurrent.atomic.AtomicInteger connectedClients, io.meridianmq.protocol.ListenerOptions options) {
        this.options = options;
        this.broker = broker;
        this.listenerName = listenerName;
        this.settings = settings;
        this.connectedClients = connectedClients;
    }

    // ---- naming the client in logs ----

    /**
     * The client's address: from a PROXY protocol header when the listener uses one; 0.0.0.0:0
     * (address unknown) on a channel that is not a network socket.
     */
    private InetSocketAddress remote() {
        InetSocketAddress proxied = channel.attr(io.meridianmq.protocol.ListenerOptions.PROXIED_ADDRESS).get();
        if (proxied != null) {
            return proxied;
        }
        return channel.remoteAddress() instanceof InetSocketAddress a ? a : UNKNOWN_ADDRESS;
    }

    String who() {
        InetSocketAddress remote = remote();
        String address = remote == null ? "?" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
        return clientId == null || clientId.isEmpty() ? "at " + address + " (before CONNECT)"
                : "'" + clientId + "' (" + address + ")";
    }

    // ---- Netty events ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
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
        ctx.flush();
    }

    /** Counts the connection from accept on: those still before CONNACK hold max_connections places too. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        connectedClients.incrementAndGet();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        if (counted) {
            counted = false;
            connectedClients.decrementAndGet();
        }
        earlyPackets.releaseAll();
        if (credentialsExpiry != null) {
            credentialsExpiry.cancel();
        }
        if (session != null) {
            if (!publishWill) {
                LOG.info("Client {} disconnected", who());
            } else {
                LOG.info("Client {} connection closed: {}", who(), closeReason != null ? closeReason : "connection lost");
            }
            session.disconnected(publishWill, disconnectSessionExpiry);
        } else if (was == State.AWAITING_CONNECT && closeReason == null) {
            LOG.debug("Connection of client {} closed before CONNECT", who());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (state == State.CONNECTED) {
                serverDisconnect(DisconnectReason.KEEP_ALIVE_TIMEOUT,
                        "keep-alive timeout (no packet within 1.5 times the keep alive)");
            } else if (deciding > 0) {
                // the broker's answer (bounded by the plugins' timeouts) is on its way: wait for it
                deadlinePassed = true;
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
            if (closeReason == null) {
                closeReason = "network error: " + cause.getMessage();
            }
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
        Object version = channel.attr(CODEC_VERSION).get();
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
            case PUBLISH -> onPublish((MqttPublishMessage) message);
            case PUBACK -> session.acknowledge(packetId(message));
            case PUBREC -> session.received(packetId(message));
            case PUBREL -> {
                int id = packetId(message);
                session.release(id, reason -> {
                    inboundAcknowledged(id);
                    channel.write(ack(MqttMessageType.PUBCOMP, id, reason));
                });
            }
            case PUBCOMP -> session.complete(packetId(message));
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) message);
            case PINGREQ -> channel.write(ServerPackets.pingResp());
            case DISCONNECT -> onDisconnect(message);
            case AUTH -> onAuth(message);
            default -> protocolViolation("sent " + type + ", which only a server may send");
        }
    }

    private void onConnect(MqttConnectMessage connect) {
        protocolLevel = connect.variableHeader().version();
        v5 = protocolLevel == 5;
        clientId = connect.payload().clientIdentifier();
        capabilities = broker.capabilities();
        if (connectedClients.get() > settings.maxConnections() && settings.maxConnections() >= 0) {
            refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "max_connections (" + settings.maxConnections() + ") reached");
            return;
        }
        ConnectPacket c = ConnectPacket.read(connect, settings, capabilities, broker::enhancedAuthenticationAvailable);
        if (c.refusal != null) {
            if (c.refusal.violation()) {
                protocolViolation(c.refusal.reason());
            } else {
                refuseConnect(c.refusal.code(), c.refusal.reason());
            }
            return;
        }
        ClientPort port = new ClientPort(channel, v5, c.clientMaxPacketSize, this::who, this::serverDisconnect);
        connectSessionExpiry = c.sessionExpiry;
        if (v5) {
            inboundFlow = new InboundFlow(settings.topicAliasMaximum(), settings.receiveMaximum());
        }
        String username = c.username;
        byte[] password = c.password;
        X509Certificate certificate = ClientCertificates.verified(channel);
        String certificateIdentity = null;
        if (options.identityAsUsername() || options.subjectAsUsername()) {
            certificateIdentity = ClientCertificates.identity(certificate, options.subjectAsUsername());
            if (certificateIdentity == null) {
                refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                        "no client certificate, but this listener takes the user name from it");
                return;
            }
            username = certificateIdentity;
            password = null;
        }
        ConnectRequest request = new ConnectRequest(clientId, connect.variableHeader().isCleanSession(), c.keepAlive,
                username, password, c.will, remote(), listenerName, protocolLevel, c.sessionExpiry, c.receiveMaximum);
        if (certificate != null) {
            request = request.withClientCertificate(certificate);
        }
        if (certificateIdentity != null) {
            request = request.authenticated("x509", certificateIdentity); // the TLS handshake proved it
        }
        pendingRequest = request;
        connectAfterAuthentication = () -> {
            state = State.CONNECTING;
            deciding++;
            broker.connect(pendingRequest, port).whenComplete((result, failure) -> onEventLoop(() -> {
                deciding--;
                onConnectResult(result, failure, c);
            }));
        };
        if (c.authMethod != null) {
            state = State.AUTHENTICATING;
            authentication = new EnhancedAuthentication(this, broker, c.authMethod);
            if (!authentication.begin(new ConnectingClient(clientId, remote(), listenerName, protocolLevel, username,
                    certificate), c.authData)) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
                        "authentication method '" + c.authMethod + "' is not available");
            }
        } else {
            connectAfterAuthentication.run();
        }
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
        if (!v5 || authentication == null) {
            protocolViolation(v5 ? "sent AUTH but connected without an authentication method"
                    : "sent AUTH outside MQTT 5");
            return;
        }
        authentication.onAuth(message, state == State.CONNECTED, new ConnectingClient(clientId, remote(),
                listenerName, protocolLevel, pendingRequest.username(), ClientCertificates.verified(channel)));
    }

    // ---- what the enhanced authentication exchange asks of its connection ----

    boolean isClosed() {
        return state == State.CLOSED;
    }

    boolean deadlinePassed() {
        return deadlinePassed;
    }

    void decidingBegins() {
        deciding++;
    }

    void decidingEnds() {
        deciding--;
    }

    void writeAndFlush(MqttMessage message) {
        channel.writeAndFlush(message);
    }

    void authenticationTooSlow() {
        closeWithReason("not accepted within connect_timeout (" + settings.connectTimeoutSeconds()
                + " s from accept): the AUTH exchange was still going on");
    }

    /** The exchange that began with CONNECT succeeded: the broker decides on the connection now. */
    void authenticated(String method, io.meridianmq.sdk.auth.Identity identity) {
        pendingRequest = pendingRequest.authenticated(method, identity);
        connectAfterAuthentication.run();
    }

    /** A re-authentication succeeded: the session goes on as the new identity, with its credentials' expiry. */
    io.meridianmq.sdk.client.ClientInfo reauthenticated(io.meridianmq.sdk.auth.Identity identity) {
        io.meridianmq.sdk.client.ClientInfo now = session.reauthenticated(identity);
        watchCredentialsExpiry(now);
        return now;
    }

    /** The exchange that began with CONNECT failed: counted with the other failed logins, and answered as slowly. */
    void refuseLogin(String why) {
        deciding++;
        broker.enhancedAuthenticationFailed(pendingRequest, why).whenComplete((v, e) -> onEventLoop(() -> {
            deciding--;
            if (state != State.CLOSED) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5, why, "not authorized");
            }
        }));
    }

    private void onConnectResult(ConnectResult result, Throwable failure, ConnectPacket connect) {
        int keepAlive = connect.keepAlive;
        if (failure != null) {
            LOG.error("Connecting client {} failed inside the broker", who(), failure);
            refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "internal error");
            return;
        }
        if (!result.accepted()) {
            refuseConnect(ServerPackets.returnCode(result.code(), v5), result.reason() != null ? result.reason() : result.code().name(),
                    result.clientReason());
            return;
        }
        session = result.session();
        clientId = result.clientId();
        if (state == State.CLOSED) {
            // the client went away while we were authenticating it
            session.disconnected(true);
            return;
        }
        state = State.CONNECTED;
        channel.pipeline().remove(IDLE_HANDLER);
        if (channel.pipeline().get(FRAMER) instanceof PacketFramer framer) {
            framer.accepted(); // authenticated: max_packet_size from now on
        }
        if (keepAlive > 0) {
            long readerIdleMillis = keepAlive * 1500L;
            channel.pipeline().addFirst(IDLE_HANDLER,
                    new IdleStateHandler(readerIdleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        MqttProperties props = !v5 ? MqttProperties.NO_PROPERTIES
                : connect.acceptedProperties(clientId, settings, capabilities,
                        authentication == null ? null : authentication.method,
                        authentication == null ? new byte[0] : authentication.successData());
        channel.writeAndFlush(ServerPackets.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, result.sessionPresent(),
                props));
        io.meridianmq.sdk.client.ClientInfo client = session.client();
        LOG.info("Client {} connected ({}, {} session, keep alive {} s, listener '{}'{}{})", who(), ConnectPacket.protocolName(protocolLevel),
                result.sessionPresent() ? "resumed" : "new", keepAlive, listenerName,
                client.username().map(u -> ", user '" + u + "'").orElse(""),
                client.credentialsExpireAt().map(t -> ", credentials good until " + t).orElse(""));
        watchCredentialsExpiry(client);
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
        if (credentialsExpiry == null) {
            credentialsExpiry = new CredentialsExpiry(channel.eventLoop(), until -> {
                if (state == State.CONNECTED) {
                    serverDisconnect(DisconnectReason.MAXIMUM_CONNECT_TIME, "credentials expired at " + until
                            + (v5 && authentication != null ? " and the client did not re-authenticate" : ""));
                }
            });
        }
        credentialsExpiry.watch(client);
    }

    private void onPublish(MqttPublishMessage publish) {
        PublishPacket.Read read;
        try {
            read = PublishPacket.read(publish, capabilities, inboundFlow);
        } catch (PacketRuleViolation v) {
            serverDisconnect(v.reason, v.getMessage());
            return;
        }
        InboundPublish inbound = read.publish();
        int qos = inbound.qos();
        int packetId = inbound.packetId();
        if (read.payloadFormatInvalid()) {
            int invalid = MqttReasonCodes.PubAck.PAYLOAD_FORMAT_INVALID.byteValue() & 0xFF;
            LOG.info("Client {}: PUBLISH to '{}' marked UTF-8 but its payload is not; refused (0x{})", who(),
                    inbound.topic(), Integer.toHexString(invalid));
            if (qos > 0) {
                channel.write(ack(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId, invalid));
            }
            return;
        }
        session.publish(inbound, reason -> {
            if (qos == 1) {
                inboundAcknowledged(packetId);
                channel.write(ack(MqttMessageType.PUBACK, packetId, reason));
            } else if (qos == 2) {
                channel.write(ack(MqttMessageType.PUBREC, packetId, reason));
                if (reason >= (MqttReasonCodes.PubRec.UNSPECIFIED_ERROR.byteValue() & 0xFF)) {
                    inboundAcknowledged(packetId); // an error PUBREC ends the exchange
                }
            }
        });
    }

    private void onSubscribe(MqttSubscribeMessage subscribe) {
        int packetId = subscribe.variableHeader().messageId();
        List<TopicSubscription> wanted;
        try {
            wanted = SubscribePacket.read(subscribe, v5);
        } catch (PacketRuleViolation v) {
            serverDisconnect(v.reason, v.getMessage());
            return;
        }
        session.subscribe(wanted, granted -> {
            if (!v5) {
                for (int i = 0; i < granted.length; i++) {
                    if (granted[i] >= 0x80) {
                        granted[i] = 0x80; // MQTT 3 has one failure code
                    }
                }
            }
            channel.write(ServerPackets.subAck(packetId, granted));
        });
    }

    private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
        List<String> filters = unsubscribe.payload().topics();
        if (filters.isEmpty()) {
            protocolViolation("sent an UNSUBSCRIBE without topic filters");
            return;
        }
        int packetId = unsubscribe.variableHeader().messageId();
        session.unsubscribe(List.copyOf(filters), reasons -> channel.write(ServerPackets.unsubAck(packetId, reasons, v5)));
    }

    private void onDisconnect(MqttMessage message) {
        publishWill = false;
        if (v5 && message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            if (h.reasonCode() == MqttReasonCodes.Disconnect.DISCONNECT_WITH_WILL_MESSAGE.byteValue()) {
                publishWill = true; // "disconnect with will message"
                closeReason = "DISCONNECT with reason 0x04 (disconnect with will message)";
            }
            long value = unsignedIntProperty(h.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL, -1);
            if (value >= 0) {
                if (connectSessionExpiry == 0 && value != 0) {
                    publishWill = true;
                    serverDisconnect(DisconnectReason.PROTOCOL_ERROR,
                            "set a session expiry in DISCONNECT after connecting with session expiry 0");
                    return;
                }
                disconnectSessionExpiry = value;
            }
        }
        channel.close();
    }

    private MqttMessage ack(MqttMessageType type, int packetId, int reason) {
        return ServerPackets.ack(type, packetId, reason, v5);
    }

    /** A QoS 1/2 exchange from the client ended (PUBACK, PUBCOMP or an error PUBREC sent). */
    private void inboundAcknowledged(int packetId) {
        if (inboundFlow != null) {
            inboundFlow.acknowledged(packetId);
        }
    }

    // ---- ending connections ----

    private void refuseConnect(MqttConnectReturnCode code, String reason) {
        refuseConnect(code, reason, reason);
    }

    /** Refuses the CONNECT: {@code reason} goes to the log, {@code told} to the client. */
    private void refuseConnect(MqttConnectReturnCode code, String reason, String told) {
        LOG.warn("Connection of client {} refused: {} (CONNACK return code {})", who(), reason,
                String.format("0x%02X", code.byteValue() & 0xFF));
        closeReason = reason;
        state = State.CLOSED;
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
            if (closeReason == null) {
                closeReason = detail;
            }
            channel.close();
            return;
        }
        if (closeReason == null) {
            closeReason = detail;
            LOG.warn("Closing the connection of client {}: {}{}", who(), detail,
                    v5 ? String.format(" (DISCONNECT reason code 0x%02X)", reason.code()) : "");
        }
        if (v5 && state == State.CONNECTED) {
            channel.writeAndFlush(ServerPackets.disconnect(reason.code(), detail)).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
        if (state != State.CONNECTED && state != State.CONNECTING) {
            state = State.CLOSED;
        }
    }

    private void closeWithReason(String reason) {
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
