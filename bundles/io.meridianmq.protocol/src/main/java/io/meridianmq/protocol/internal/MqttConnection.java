package io.meridianmq.protocol.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.ConnectReturnCode;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.message.UserProperty;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one MQTT 3.1, 3.1.1 or 5.0 connection: CONNECT first and once, then
 * packets mapped onto the broker core's {@link ClientSession}. It is the core's
 * {@link ClientConnection} port for this client. Every method runs on the channel's event loop,
 * so no state here is locked. MQTT 5 specifics (properties, reason codes, topic aliases, flow
 * control, maximum packet size) stay in this class; the core sees one version-neutral model.
 *
 * <p>Whatever a client does wrong ends in a close (for MQTT 5 after a DISCONNECT or CONNACK with
 * the specification's reason code) and one log line naming the client and the reason; nothing
 * reaches other clients.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter implements ClientConnection {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    static final String IDLE_HANDLER = "idle";
    static final String FRAMER = "mqtt-framer";
    /** Netty's MQTT codec keeps the negotiated version under this channel attribute. */
    private static final AttributeKey<Object> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    /** Packets that may arrive after CONNECT while authentication is still running. */
    private static final int MAX_PENDING_WHILE_CONNECTING = 1000;
    /** How long an enhanced authentication plugin may take for one step. */

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
    private final ArrayDeque<MqttMessage> pendingWhileConnecting = new ArrayDeque<>(1); // usually stays empty

    // MQTT 5 connection state
    private boolean v5;
    private long connectSessionExpiry;
    private int clientMaxPacketSize = Integer.MAX_VALUE;
    private String[] topicAliases;
    /** Packet ids of QoS 1/2 PUBLISHes from the client not yet fully acknowledged (receive maximum). */
    private final Set<Integer> inboundUnacknowledged = new HashSet<>();
    private BrokerCapabilities capabilities = new BrokerCapabilities(2, true);

    // MQTT 5 enhanced authentication
    private String authMethod;
    private io.meridianmq.broker.AuthenticationExchange exchange;
    /** Whether a step of {@link #exchange} is running (a client must wait for its answer). Event loop. */
    private boolean stepRunning;
    /**
     * Whether the broker is deciding about this connection (authentication, a damped refusal):
     * its answer is bounded by the plugins' timeouts, so connect_timeout waits for it. Event loop.
     */
    private int deciding;
    /** connect_timeout passed while the broker was deciding: the client gets no further turn. Event loop. */
    private boolean deadlinePassed;
    private boolean reauthenticating;
    /** What CONNECT asked for, kept while the AUTH exchange runs. */
    private Runnable connectAfterAuthentication;
    private ConnectRequest pendingRequest;
    private byte[] authSuccessData;
    /** Ends the connection when the client's credentials expire (unless it re-authenticates first). */
    private io.netty.util.concurrent.ScheduledFuture<?> credentialsExpiry;

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

    /** The client's address: from a PROXY protocol header when the listener uses one. */
    private InetSocketAddress remote() {
        InetSocketAddress proxied = channel.attr(io.meridianmq.protocol.ListenerOptions.PROXIED_ADDRESS).get();
        return proxied != null ? proxied : (InetSocketAddress) channel.remoteAddress();
    }

    private String who() {
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
                if (pendingWhileConnecting.size() >= MAX_PENDING_WHILE_CONNECTING) {
                    protocolViolation("sent more than " + MAX_PENDING_WHILE_CONNECTING + " packets before CONNACK");
                    return;
                }
                ReferenceCountUtil.retain(message);
                pendingWhileConnecting.add(message);
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
        for (MqttMessage m : pendingWhileConnecting) {
            ReferenceCountUtil.release(m);
        }
        pendingWhileConnecting.clear();
        if (credentialsExpiry != null) {
            credentialsExpiry.cancel(false);
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
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            String m = String.valueOf(cause.getMessage());
            if (state == State.AWAITING_CONNECT && (m.startsWith("MQTT ") || m.startsWith("MQIsdp "))) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                        "unsupported protocol level: " + m);
            } else {
                closeWithReason("not an MQTT connection (" + m + ")");
            }
            return;
        }
        if (cause instanceof MqttIdentifierRejectedException) {
            refuseConnect(codecIsV5() ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                    : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "client identifier rejected: " + cause.getMessage());
            return;
        }
        if (cause instanceof ProtocolErrorException) {
            if (state == State.AWAITING_CONNECT) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR, "protocol error: " + cause.getMessage());
            } else {
                serverDisconnect(DisconnectReason.PROTOCOL_ERROR, "protocol error: " + cause.getMessage());
            }
            return;
        }
        boolean tooLarge = cause instanceof TooLongFrameException
                || (cause.getMessage() != null && cause.getMessage().contains("exceeds max_packet_size"));
        String detail = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        if (cause.getCause() != null && cause.getCause().getMessage() != null) {
            detail = cause.getCause().getMessage();
        }
        String reason = "malformed packet: " + (tooLarge ? "too large (" + detail + ")" : detail);
        if (state == State.AWAITING_CONNECT && codecIsV5()) {
            refuseConnect(tooLarge ? MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE
                    : MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET, reason);
            return;
        }
        serverDisconnect(tooLarge ? DisconnectReason.PACKET_TOO_LARGE : DisconnectReason.MALFORMED_PACKET, reason);
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
                    inboundUnacknowledged.remove(id);
                    channel.write(ack(MqttMessageType.PUBCOMP, id, reason));
                });
            }
            case PUBCOMP -> session.complete(packetId(message));
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) message);
            case PINGREQ -> channel.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false,
                    MqttQoS.AT_MOST_ONCE, false, 0)));
            case DISCONNECT -> onDisconnect(message);
            case AUTH -> onAuth(message);
            default -> protocolViolation("sent " + type + ", which only a server may send");
        }
    }

    private void onConnect(MqttConnectMessage connect) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();
        protocolLevel = header.version();
        v5 = protocolLevel == 5;
        clientId = payload.clientIdentifier();
        capabilities = broker.capabilities();
        if (connectedClients.get() > settings.maxConnections() && settings.maxConnections() >= 0) {
            refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "max_connections (" + settings.maxConnections() + ") reached");
            return;
        }
        long sessionExpiry;
        int receiveMaximum = 65535;
        if (v5) {
            MqttProperties p = header.properties();
            String bad = PropertyRules.check(p, PropertyRules.CONNECT);
            if (bad == null && payload.willProperties() != null) {
                bad = PropertyRules.check(payload.willProperties(), PropertyRules.WILL);
            }
            if (bad != null) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET, "CONNECT " + bad);
                return;
            }
            sessionExpiry = Integer.toUnsignedLong(intProperty(p, MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL, 0));
            receiveMaximum = intProperty(p, MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM, 65535);
            int maxPacket = intProperty(p, MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE, -1);
            if (receiveMaximum == 0 || maxPacket == 0) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR,
                        receiveMaximum == 0 ? "receive maximum 0" : "maximum packet size 0");
                return;
            }
            if (maxPacket > 0) {
                clientMaxPacketSize = maxPacket;
            }
            MqttProperties.MqttProperty<?> method = p.getProperty(MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD.value());
            if (method != null) {
                authMethod = (String) method.value();
                if (!broker.enhancedAuthenticationAvailable(authMethod)) {
                    refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
                            "asked for enhanced authentication method '" + authMethod + "', which no plugin provides");
                    return;
                }
            } else if (p.getProperty(MqttProperties.MqttPropertyType.AUTHENTICATION_DATA.value()) != null) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR,
                        "sent authentication data without an authentication method");
                return;
            }
            topicAliases = new String[settings.topicAliasMaximum() + 1];
        } else {
            sessionExpiry = header.isCleanSession() ? 0 : ConnectRequest.NEVER_EXPIRES;
        }
        connectSessionExpiry = sessionExpiry;
        WillMessage will = null;
        if (header.isWillFlag()) {
            String willTopic = payload.willTopic();
            if (willTopic == null || willTopic.isEmpty() || willTopic.indexOf('+') >= 0 || willTopic.indexOf('#') >= 0) {
                if (v5) {
                    refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID,
                            "invalid will topic '" + willTopic + "'");
                } else {
                    protocolViolation("sent an invalid will topic '" + willTopic + "'");
                }
                return;
            }
            if (header.willQos() > capabilities.maximumQos() && v5) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_QOS_NOT_SUPPORTED,
                        "will QoS " + header.willQos() + " above max_qos " + capabilities.maximumQos());
                return;
            }
            if (header.isWillRetain() && !capabilities.retainAvailable() && v5) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_RETAIN_NOT_SUPPORTED,
                        "retained will, but retain_available = false");
                return;
            }
            byte[] willPayload = payload.willMessageInBytes();
            if (v5) {
                MqttProperties wp = payload.willProperties();
                PublishProperties props = publishProperties(wp);
                if (props.utf8Payload() && !isUtf8(willPayload)) {
                    refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_PAYLOAD_FORMAT_INVALID,
                            "will payload marked UTF-8 is not valid UTF-8");
                    return;
                }
                long delay = Integer.toUnsignedLong(intProperty(wp, MqttProperties.MqttPropertyType.WILL_DELAY_INTERVAL, 0));
                long expiry = wp.getProperty(MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value()) == null ? -1
                        : Integer.toUnsignedLong(intProperty(wp, MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, 0));
                will = new WillMessage(willTopic, willPayload, header.willQos(), header.isWillRetain(), props, delay, expiry);
            } else {
                will = new WillMessage(willTopic, willPayload, header.willQos(), header.isWillRetain());
            }
        }
        String username = header.hasUserName() ? payload.userName() : null;
        byte[] password = header.hasPassword() ? payload.passwordInBytes() : null;
        String certificateIdentity = null;
        if (options.identityAsUsername() || options.subjectAsUsername()) {
            certificateIdentity = certificateIdentity();
            if (certificateIdentity == null) {
                refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                        "no client certificate, but this listener takes the user name from it");
                return;
            }
            username = certificateIdentity;
            password = null;
        }
        int keepAlive = header.keepAliveTimeSeconds();
        int serverKeepAlive = -1;
        if (v5 && (keepAlive == 0 || keepAlive > settings.maxKeepAlive()) && settings.maxKeepAlive() < 65535) {
            serverKeepAlive = settings.maxKeepAlive();
            keepAlive = serverKeepAlive;
        }
        boolean requestResponseInformation = v5 && intProperty(header.properties(),
                MqttProperties.MqttPropertyType.REQUEST_RESPONSE_INFORMATION, 0) == 1;
        ConnectRequest request = new ConnectRequest(clientId, header.isCleanSession(), keepAlive, username, password,
                will, remote(), listenerName, protocolLevel, sessionExpiry,
                receiveMaximum);
        int effectiveKeepAlive = keepAlive;
        int announcedKeepAlive = serverKeepAlive;
        boolean clientSentEmptyId = clientId.isEmpty();
        java.security.cert.X509Certificate certificate = verifiedCertificate();
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
            broker.connect(pendingRequest, this).whenComplete((result, failure) -> onEventLoop(() -> {
                deciding--;
                onConnectResult(result, failure, effectiveKeepAlive, announcedKeepAlive, clientSentEmptyId,
                        requestResponseInformation);
            }));
        };
        if (authMethod != null) {
            state = State.AUTHENTICATING;
            exchange = broker.beginEnhancedAuthentication(authMethod, new ConnectingClient(clientId,
                    remote(), listenerName, protocolLevel, username, certificate)).orElse(null);
            if (exchange == null) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
                        "authentication method '" + authMethod + "' is not available");
                return;
            }
            byte[] data = binaryProperty(header.properties(), MqttProperties.MqttPropertyType.AUTHENTICATION_DATA);
            runAuthenticationStep(data);
        } else {
            connectAfterAuthentication.run();
        }
    }

    /** The client certificate the TLS handshake verified, or null (plain connection, or none sent). */
    private java.security.cert.X509Certificate verifiedCertificate() {
        io.netty.handler.ssl.SslHandler tls = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls == null) {
            return null;
        }
        try {
            java.security.cert.Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x ? x : null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The client certificate's CN (or full subject DN), or null without a verified certificate. */
    private String certificateIdentity() {
        java.security.cert.X509Certificate certificate = verifiedCertificate();
        if (certificate == null) {
            return null;
        }
        try {
            javax.security.auth.x500.X500Principal subject = certificate.getSubjectX500Principal();
            if (options.subjectAsUsername()) {
                return subject.getName();
            }
            for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(subject.getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
            return null;
        } catch (javax.naming.InvalidNameException e) {
            return null;
        }
    }

    private void onEventLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    private static byte[] binaryProperty(MqttProperties p, MqttProperties.MqttPropertyType type) {
        MqttProperties.MqttProperty<?> property = p == null ? null : p.getProperty(type.value());
        return property == null ? new byte[0] : (byte[]) property.value();
    }

    /** AUTH from the client: the next step of an exchange, or the start of a re-authentication. */
    private void onAuth(MqttMessage message) {
        if (!v5 || !(message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h)) {
            protocolViolation("sent AUTH outside MQTT 5");
            return;
        }
        int reason = h.reasonCode() & 0xFF;
        MqttProperties.MqttProperty<?> method = h.properties().getProperty(
                MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD.value());
        String m = method == null ? null : (String) method.value();
        if (authMethod == null || !authMethod.equals(m)) {
            protocolViolation("sent AUTH with method '" + m + "' but connected with '" + authMethod + "'");
            return;
        }
        byte[] data = binaryProperty(h.properties(), MqttProperties.MqttPropertyType.AUTHENTICATION_DATA);
        if (reason == 0x18 && exchange != null) {
            runAuthenticationStep(data);
        } else if (reason == 0x19 && state == State.CONNECTED && exchange == null) {
            reauthenticating = true;
            exchange = broker.beginEnhancedAuthentication(authMethod, new ConnectingClient(clientId,
                    remote(), listenerName, protocolLevel,
                    pendingRequest.username(), verifiedCertificate())).orElse(null);
            if (exchange == null) {
                serverDisconnect(DisconnectReason.NOT_AUTHORIZED, "re-authentication method '" + authMethod
                        + "' is no longer available");
                return;
            }
            runAuthenticationStep(data);
        } else {
            protocolViolation(String.format("sent AUTH with reason 0x%02X out of turn", reason));
        }
    }

    private void runAuthenticationStep(byte[] data) {
        if (stepRunning) {
            protocolViolation("sent AUTH before the previous one was answered");
            return;
        }
        stepRunning = true;
        deciding++;
        // the broker runs the step on a plugin thread, with the plugins' timeouts and fault handling
        exchange.step(data).whenComplete((step, failure) -> onEventLoop(() -> {
            stepRunning = false;
            deciding--;
            if (state == State.CLOSED) {
                return;
            }
            io.meridianmq.sdk.auth.AuthenticationStep s = step;
            if (failure != null || s == null) {
                LOG.error("Enhanced authenticator '{}' failed for client {}: {}", authMethod, who(), failure);
                s = io.meridianmq.sdk.auth.AuthenticationStep.failure("authenticator failed");
            }
            switch (s.kind()) {
                case CONTINUE -> {
                    if (deadlinePassed && !reauthenticating) {
                        closeWithReason("not accepted within connect_timeout (" + settings.connectTimeoutSeconds()
                                + " s from accept): the AUTH exchange was still going on");
                        return;
                    }
                    sendAuth(0x18, s.serverData());
                }
                case SUCCESS -> {
                    exchange = null;
                    if (reauthenticating) {
                        reauthenticating = false;
                        io.meridianmq.sdk.client.ClientInfo now = session.reauthenticated(s.identity());
                        LOG.info("Client {} re-authenticated with {}{}", who(), authMethod,
                                now.credentialsExpireAt().map(t -> ", credentials good until " + t).orElse(""));
                        sendAuth(0x00, s.serverData());
                        channel.flush();
                        watchCredentialsExpiry(now);
                    } else {
                        authSuccessData = s.serverData();
                        pendingRequest = pendingRequest.authenticated(authMethod, s.identity());
                        connectAfterAuthentication.run();
                    }
                }
                case FAILURE -> {
                    String why = "enhanced authentication (" + authMethod + ") failed: " + s.reason().orElse("refused");
                    if (reauthenticating) {
                        serverDisconnect(DisconnectReason.NOT_AUTHORIZED, why);
                    } else {
                        // counted with the other failed logins, and answered as slowly
                        deciding++;
                        broker.enhancedAuthenticationFailed(pendingRequest, why).whenComplete((v, e) -> onEventLoop(() -> {
                            deciding--;
                            if (state != State.CLOSED) {
                                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5, why,
                                        "not authorized");
                            }
                        }));
                    }
                }
            }
        }));
    }

    private void sendAuth(int reason, byte[] data) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD.value(),
                authMethod));
        if (data.length > 0) {
            props.add(new MqttProperties.BinaryProperty(MqttProperties.MqttPropertyType.AUTHENTICATION_DATA.value(), data));
        }
        channel.writeAndFlush(new MqttMessage(
                new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reason, props)));
    }

    private void onConnectResult(ConnectResult result, Throwable failure, int keepAlive, int serverKeepAlive,
            boolean assignedId, boolean requestResponseInformation) {
        if (failure != null) {
            LOG.error("Connecting client {} failed inside the broker", who(), failure);
            refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "internal error");
            return;
        }
        if (!result.accepted()) {
            refuseConnect(toNetty(result.code()), result.reason() != null ? result.reason() : result.code().name(),
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
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            props = new MqttProperties();
            if (assignedId) {
                props.add(new MqttProperties.StringProperty(
                        MqttProperties.MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(), clientId));
            }
            if (serverKeepAlive >= 0) {
                props.add(intProp(MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE, serverKeepAlive));
            }
            props.add(intProp(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM, settings.receiveMaximum()));
            props.add(intProp(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE, settings.maxPacketSize()));
            props.add(intProp(MqttProperties.MqttPropertyType.TOPIC_ALIAS_MAXIMUM, settings.topicAliasMaximum()));
            if (capabilities.maximumQos() < 2) {
                props.add(intProp(MqttProperties.MqttPropertyType.MAXIMUM_QOS, capabilities.maximumQos()));
            }
            if (!capabilities.retainAvailable()) {
                props.add(intProp(MqttProperties.MqttPropertyType.RETAIN_AVAILABLE, 0));
            }
            props.add(intProp(MqttProperties.MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
            props.add(intProp(MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1));
            props.add(intProp(MqttProperties.MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 1));
            if (authMethod != null) {
                props.add(new MqttProperties.StringProperty(
                        MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD.value(), authMethod));
                if (authSuccessData != null && authSuccessData.length > 0) {
                    props.add(new MqttProperties.BinaryProperty(
                            MqttProperties.MqttPropertyType.AUTHENTICATION_DATA.value(), authSuccessData));
                }
            }
            if (requestResponseInformation && !settings.responseInformation().isEmpty()) {
                props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.RESPONSE_INFORMATION.value(),
                        settings.responseInformation() + clientId));
            }
        }
        channel.writeAndFlush(new MqttConnAckMessage(
                new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(MqttConnectReturnCode.CONNECTION_ACCEPTED, result.sessionPresent(), props)));
        io.meridianmq.sdk.client.ClientInfo client = session.client();
        LOG.info("Client {} connected ({}, {} session, keep alive {} s, listener '{}'{}{})", who(), protocolName(),
                result.sessionPresent() ? "resumed" : "new", keepAlive, listenerName,
                client.username().map(u -> ", user '" + u + "'").orElse(""),
                client.credentialsExpireAt().map(t -> ", credentials good until " + t).orElse(""));
        watchCredentialsExpiry(client);
        session.open();
        while (!pendingWhileConnecting.isEmpty() && state == State.CONNECTED) {
            MqttMessage m = pendingWhileConnecting.poll();
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
        if (credentialsExpiry != null) {
            credentialsExpiry.cancel(false);
            credentialsExpiry = null;
        }
        java.time.Instant until = client.credentialsExpireAt().orElse(null);
        if (until == null) {
            return;
        }
        long millis = Math.max(0, java.time.Duration.between(java.time.Instant.now(), until).toMillis());
        credentialsExpiry = channel.eventLoop().schedule(() -> {
            if (state == State.CONNECTED) {
                serverDisconnect(DisconnectReason.MAXIMUM_CONNECT_TIME, "credentials expired at " + until
                        + (v5 && authMethod != null ? " and the client did not re-authenticate" : ""));
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private String protocolName() {
        return switch (protocolLevel) {
            case 3 -> "MQTT 3.1";
            case 4 -> "MQTT 3.1.1";
            case 5 -> "MQTT 5.0";
            default -> "MQTT level " + protocolLevel;
        };
    }

    private void onPublish(MqttPublishMessage publish) {
        MqttPublishVariableHeader header = publish.variableHeader();
        String topic = header.topicName();
        int qos = publish.fixedHeader().qosLevel().value();
        int packetId = header.packetId();
        boolean retain = publish.fixedHeader().isRetain();
        if (qos > 0 && packetId == 0) {
            protocolViolation("sent a QoS " + qos + " PUBLISH without a packet identifier");
            return;
        }
        if (qos > capabilities.maximumQos()) {
            serverDisconnect(DisconnectReason.QOS_NOT_SUPPORTED,
                    "published at QoS " + qos + ", above max_qos " + capabilities.maximumQos());
            return;
        }
        if (retain && !capabilities.retainAvailable()) {
            serverDisconnect(DisconnectReason.RETAIN_NOT_SUPPORTED, "published a retained message, but retain_available = false");
            return;
        }
        long expiry = -1;
        PublishProperties properties = PublishProperties.NONE;
        byte[] payload = ByteBufUtil.getBytes(publish.payload());
        if (v5) {
            MqttProperties p = header.properties();
            String bad = PropertyRules.check(p, PropertyRules.PUBLISH_FROM_CLIENT);
            if (bad != null) {
                serverDisconnect(bad.startsWith("property") ? DisconnectReason.MALFORMED_PACKET : DisconnectReason.PROTOCOL_ERROR,
                        "PUBLISH " + bad);
                return;
            }
            MqttProperties.MqttProperty<?> alias = p.getProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS.value());
            if (alias != null) {
                int a = (Integer) alias.value();
                if (a == 0 || a >= topicAliases.length) {
                    serverDisconnect(DisconnectReason.TOPIC_ALIAS_INVALID, "used topic alias " + a
                            + " (topic alias maximum is " + settings.topicAliasMaximum() + ")");
                    return;
                }
                if (topic.isEmpty()) {
                    topic = topicAliases[a];
                    if (topic == null) {
                        protocolViolation("used topic alias " + a + " before setting it");
                        return;
                    }
                } else {
                    topicAliases[a] = topic;
                }
            }
            properties = publishProperties(p);
            if (p.getProperty(MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value()) != null) {
                expiry = Integer.toUnsignedLong(intProperty(p, MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, 0));
            }
            if (properties.utf8Payload() && !isUtf8(payload)) {
                LOG.info("Client {}: PUBLISH to '{}' marked UTF-8 but its payload is not; refused (0x99)", who(), topic);
                if (qos > 0) {
                    channel.write(ack(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId, 0x99));
                }
                return;
            }
        }
        if (topic.isEmpty()) {
            protocolViolation("sent a PUBLISH with an empty topic");
            return;
        }
        if (qos > 0 && v5 && !inboundUnacknowledged.contains(packetId)) {
            if (inboundUnacknowledged.size() >= settings.receiveMaximum()) {
                serverDisconnect(DisconnectReason.RECEIVE_MAXIMUM_EXCEEDED, "sent more than receive maximum "
                        + settings.receiveMaximum() + " unacknowledged QoS 1/2 messages");
                return;
            }
            inboundUnacknowledged.add(packetId);
        }
        InboundPublish inbound = new InboundPublish(packetId, topic, payload, qos, retain, expiry, properties);
        session.publish(inbound, reason -> {
            if (qos == 1) {
                inboundUnacknowledged.remove(packetId);
                channel.write(ack(MqttMessageType.PUBACK, packetId, reason));
            } else if (qos == 2) {
                channel.write(ack(MqttMessageType.PUBREC, packetId, reason));
                if (reason >= 0x80) {
                    inboundUnacknowledged.remove(packetId); // an error PUBREC ends the exchange
                }
            }
        });
    }

    private void onSubscribe(MqttSubscribeMessage subscribe) {
        List<MqttTopicSubscription> topics = subscribe.payload().topicSubscriptions();
        if (topics.isEmpty()) {
            protocolViolation("sent a SUBSCRIBE without topic filters");
            return;
        }
        int packetId = subscribe.variableHeader().messageId();
        int subscriptionId = 0;
        if (v5) {
            MqttProperties p = subscribe.idAndPropertiesVariableHeader().properties();
            String bad = PropertyRules.check(p, PropertyRules.SUBSCRIBE);
            if (bad != null) {
                serverDisconnect(DisconnectReason.MALFORMED_PACKET, "SUBSCRIBE " + bad);
                return;
            }
            List<? extends MqttProperties.MqttProperty> ids =
                    p.getProperties(MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value());
            if (ids.size() > 1) {
                protocolViolation("sent more than one subscription identifier in SUBSCRIBE");
                return;
            }
            if (!ids.isEmpty()) {
                subscriptionId = (Integer) ids.get(0).value();
                if (subscriptionId == 0) {
                    protocolViolation("sent subscription identifier 0");
                    return;
                }
            }
        }
        List<TopicSubscription> wanted = new ArrayList<>(topics.size());
        for (MqttTopicSubscription t : topics) {
            int qos = t.qualityOfService().value();
            if (qos > 2) {
                protocolViolation("asked for QoS " + qos + " in SUBSCRIBE");
                return;
            }
            boolean noLocal = v5 && t.option().isNoLocal();
            if (noLocal && t.topicName().startsWith("$share/")) {
                protocolViolation("asked for no local on shared subscription '" + t.topicName() + "'");
                return;
            }
            wanted.add(new TopicSubscription(t.topicName(), qos, noLocal, v5 && t.option().isRetainAsPublished(),
                    v5 ? t.option().retainHandling().value() : 0, subscriptionId));
        }
        session.subscribe(wanted, granted -> {
            if (!v5) {
                for (int i = 0; i < granted.length; i++) {
                    if (granted[i] >= 0x80) {
                        granted[i] = 0x80; // MQTT 3 has one failure code
                    }
                }
            }
            channel.write(new MqttSubAckMessage(
                    new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                    new MqttSubAckPayload(granted)));
        });
    }

    private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
        List<String> filters = unsubscribe.payload().topics();
        if (filters.isEmpty()) {
            protocolViolation("sent an UNSUBSCRIBE without topic filters");
            return;
        }
        int packetId = unsubscribe.variableHeader().messageId();
        session.unsubscribe(List.copyOf(filters), reasons -> {
            MqttFixedHeader fixed = new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);
            if (v5) {
                short[] codes = new short[reasons.length];
                for (int i = 0; i < codes.length; i++) {
                    codes[i] = (short) reasons[i];
                }
                channel.write(new MqttUnsubAckMessage(fixed,
                        new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                        new MqttUnsubAckPayload(codes)));
            } else {
                channel.write(new MqttUnsubAckMessage(fixed, MqttMessageIdVariableHeader.from(packetId)));
            }
        });
    }

    private void onDisconnect(MqttMessage message) {
        publishWill = false;
        if (v5 && message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            if ((h.reasonCode() & 0xFF) == 0x04) {
                publishWill = true; // "disconnect with will message"
                closeReason = "DISCONNECT with reason 0x04 (disconnect with will message)";
            }
            MqttProperties.MqttProperty<?> expiry =
                    h.properties().getProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value());
            if (expiry != null) {
                long value = Integer.toUnsignedLong((Integer) expiry.value());
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

    // ---- MQTT 5 properties ----

    private static MqttProperties.IntegerProperty intProp(MqttProperties.MqttPropertyType type, int value) {
        return new MqttProperties.IntegerProperty(type.value(), value);
    }

    private static int intProperty(MqttProperties p, MqttProperties.MqttPropertyType type, int fallback) {
        if (p == null) {
            return fallback;
        }
        MqttProperties.MqttProperty<?> property = p.getProperty(type.value());
        return property == null ? fallback : (Integer) property.value();
    }

    private static PublishProperties publishProperties(MqttProperties p) {
        if (p == null || p.isEmpty()) {
            return PublishProperties.NONE;
        }
        boolean utf8 = intProperty(p, MqttProperties.MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 0) == 1;
        MqttProperties.MqttProperty<?> contentType = p.getProperty(MqttProperties.MqttPropertyType.CONTENT_TYPE.value());
        MqttProperties.MqttProperty<?> responseTopic = p.getProperty(MqttProperties.MqttPropertyType.RESPONSE_TOPIC.value());
        MqttProperties.MqttProperty<?> correlation = p.getProperty(MqttProperties.MqttPropertyType.CORRELATION_DATA.value());
        List<UserProperty> user = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> u : p.getProperties(MqttProperties.MqttPropertyType.USER_PROPERTY.value())) {
            MqttProperties.StringPair pair = ((MqttProperties.UserProperty) u).value();
            user.add(new UserProperty(pair.key, pair.value));
        }
        return new PublishProperties(utf8, contentType == null ? null : (String) contentType.value(),
                responseTopic == null ? null : (String) responseTopic.value(),
                correlation == null ? null : (byte[]) correlation.value(), user);
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    private MqttMessage ack(MqttMessageType type, int packetId, int reason) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        MqttFixedHeader fixed = new MqttFixedHeader(type, false, qos, false, 2);
        if (v5 && reason != 0) {
            return new MqttMessage(fixed, new MqttPubReplyMessageVariableHeader(packetId, (byte) reason,
                    MqttProperties.NO_PROPERTIES));
        }
        return new MqttMessage(fixed, MqttMessageIdVariableHeader.from(packetId));
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
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5 || (code.byteValue() & 0xFF) >= 0x80) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), told));
        }
        channel.writeAndFlush(new MqttConnAckMessage(
                new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(code, false, props))).addListener(ChannelFutureListener.CLOSE);
    }

    private void protocolViolation(String what) {
        serverDisconnect(DisconnectReason.PROTOCOL_ERROR, "protocol violation: " + what);
    }

    /**
     * Ends the connection: an MQTT 5 client that has been accepted first gets a DISCONNECT with
     * the reason code; the will is published (the client did not disconnect normally).
     */
    private void serverDisconnect(DisconnectReason reason, String detail) {
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
            MqttProperties props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), detail));
            channel.writeAndFlush(new MqttMessage(
                    new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttReasonCodeAndPropertiesVariableHeader((byte) reason.code(), props)))
                    .addListener(ChannelFutureListener.CLOSE);
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

    private MqttConnectReturnCode toNetty(ConnectReturnCode code) {
        if (v5) {
            return switch (code) {
                case ACCEPTED -> MqttConnectReturnCode.CONNECTION_ACCEPTED;
                case UNACCEPTABLE_PROTOCOL_VERSION -> MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION;
                case IDENTIFIER_REJECTED -> MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID;
                case SERVER_UNAVAILABLE -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5;
                case BAD_USERNAME_OR_PASSWORD -> MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD;
                case NOT_AUTHORIZED -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5;
                case QUOTA_EXCEEDED -> MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED;
            };
        }
        return switch (code) {
            case ACCEPTED -> MqttConnectReturnCode.CONNECTION_ACCEPTED;
            case UNACCEPTABLE_PROTOCOL_VERSION -> MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION;
            case IDENTIFIER_REJECTED -> MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case SERVER_UNAVAILABLE -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case BAD_USERNAME_OR_PASSWORD -> MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            case QUOTA_EXCEEDED -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
        };
    }

    // ---- ClientConnection: the core's port to this client ----

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    /** How many congested sessions this client's reading is paused for. */
    private int readingPaused;

    @Override
    public void pauseReading() {
        if (readingPaused++ == 0) {
            channel.config().setAutoRead(false);
        }
    }

    @Override
    public void resumeReading() {
        if (readingPaused > 0 && --readingPaused == 0) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ClientSession s = session;
        if (s != null && state == State.CONNECTED) {
            s.writabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public boolean sendPublish(OutboundPublish p) {
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            props = OutboundProperties.of(p);
            long size = OutboundProperties.packetSize(p, props);
            if (size > clientMaxPacketSize) {
                LOG.debug("Client {}: PUBLISH to '{}' of {} bytes exceeds the client's maximum packet size {}; not sent",
                        who(), p.topic(), size, clientMaxPacketSize);
                return false;
            }
        }
        if (p.qos() == 0 && !channel.isWritable() && channel.bytesBeforeWritable() > MAX_PENDING_QOS0_BYTES) {
            // the client reads far slower than messages come, and its publishers were held back
            // already: QoS 0 is dropped here rather than piled up without bound
            if (droppedQos0++ % 10_000 == 0) {
                LOG.warn("Client {} reads too slowly: {} MiB wait to be written; QoS 0 messages are dropped ({} so far)",
                        who(), channel.bytesBeforeWritable() >> 20, droppedQos0);
            }
            return false;
        }
        // the payload array is shared by every receiver; no promise: nobody waits for the write
        channel.write(new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, p.dup(), MqttQoS.valueOf(p.qos()), p.retain(), 0),
                new MqttPublishVariableHeader(p.topic(), p.packetId(), props), Unpooled.wrappedBuffer(p.payload())),
                channel.voidPromise());
        return true;
    }

    /** Bytes waiting to be written to one client beyond which QoS 0 messages to it are dropped. */
    private static final long MAX_PENDING_QOS0_BYTES = 8L << 20;
    private long droppedQos0;

    @Override
    public void sendPubrel(int packetId) {
        channel.write(ack(MqttMessageType.PUBREL, packetId, 0), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close(DisconnectReason reason, String detail) {
        if (channel.eventLoop().inEventLoop()) {
            serverDisconnect(reason, detail);
        } else {
            channel.eventLoop().execute(() -> serverDisconnect(reason, detail));
        }
    }
}
