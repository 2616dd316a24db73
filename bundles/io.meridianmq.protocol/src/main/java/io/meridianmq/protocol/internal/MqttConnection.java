package io.meridianmq.protocol.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.ConnectReturnCode;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.broker.WillMessage;
import io.netty.buffer.ByteBuf;
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
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one MQTT connection: CONNECT first and once, then packets mapped onto the
 * broker core's {@link ClientSession}. It is the core's {@link ClientConnection} port for this
 * client. Every method runs on the channel's event loop, so no state here is locked.
 *
 * <p>Whatever a client does wrong ends in a close (or the CONNACK return code the specification
 * asks for) and one log line naming the client and the reason; nothing reaches other clients.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter implements ClientConnection {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    static final String IDLE_HANDLER = "idle";
    /** Packets that may arrive after CONNECT while authentication is still running. */
    private static final int MAX_PENDING_WHILE_CONNECTING = 1000;

    private enum State { AWAITING_CONNECT, CONNECTING, CONNECTED, CLOSED }

    private final Broker broker;
    private final String listenerName;
    private Channel channel;
    private State state = State.AWAITING_CONNECT;
    private ClientSession session;
    private String clientId;
    private int protocolLevel;
    private boolean graceful;
    private String closeReason;
    private final ArrayDeque<MqttMessage> pendingWhileConnecting = new ArrayDeque<>();

    MqttConnection(Broker broker, String listenerName) {
        this.broker = broker;
        this.listenerName = listenerName;
    }

    // ---- naming the client in logs ----

    private String who() {
        InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        String address = remote == null ? "?" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
        return clientId == null ? "at " + address + " (before CONNECT)" : "'" + clientId + "' (" + address + ")";
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

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        for (MqttMessage m : pendingWhileConnecting) {
            ReferenceCountUtil.release(m);
        }
        pendingWhileConnecting.clear();
        if (session != null) {
            if (graceful) {
                LOG.info("Client {} disconnected", who());
            } else {
                LOG.info("Client {} connection closed: {}", who(), closeReason != null ? closeReason : "connection lost");
            }
            session.disconnected(graceful);
        } else if (was == State.AWAITING_CONNECT && closeReason == null) {
            LOG.debug("Connection of client {} closed before CONNECT", who());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (state == State.CONNECTED) {
                closeWithReason("keep-alive timeout (no packet within 1.5 times the keep alive)");
            } else {
                closeWithReason("no CONNECT received in time");
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
            closeWithReason("internal error");
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
            refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "client identifier rejected: " + cause.getMessage());
            return;
        }
        if (cause instanceof TooLongFrameException) {
            closeWithReason("malformed packet: too large (" + cause.getMessage() + ")");
            return;
        }
        String detail = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        if (cause.getCause() != null && cause.getCause().getMessage() != null) {
            detail = cause.getCause().getMessage();
        }
        closeWithReason("malformed packet: " + detail);
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
        switch (type) {
            case PUBLISH -> onPublish((MqttPublishMessage) message);
            case PUBACK -> session.acknowledge(packetId(message));
            case PUBREC -> session.received(packetId(message));
            case PUBREL -> {
                int id = packetId(message);
                session.release(id, () -> channel.write(ack(MqttMessageType.PUBCOMP, id)));
            }
            case PUBCOMP -> session.complete(packetId(message));
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) message);
            case PINGREQ -> channel.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false,
                    MqttQoS.AT_MOST_ONCE, false, 0)));
            case DISCONNECT -> {
                graceful = true;
                channel.close();
            }
            default -> protocolViolation("sent " + type + ", which only a server may send");
        }
    }

    private void onConnect(MqttConnectMessage connect) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();
        protocolLevel = header.version();
        clientId = payload.clientIdentifier();
        if (protocolLevel == 5) {
            refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION,
                    "MQTT 5.0 is not supported yet");
            return;
        }
        WillMessage will = null;
        if (header.isWillFlag()) {
            String willTopic = payload.willTopic();
            if (willTopic == null || willTopic.isEmpty() || willTopic.indexOf('+') >= 0 || willTopic.indexOf('#') >= 0) {
                protocolViolation("sent an invalid will topic '" + willTopic + "'");
                return;
            }
            will = new WillMessage(willTopic, payload.willMessageInBytes(), header.willQos(), header.isWillRetain());
        }
        String username = header.hasUserName() ? payload.userName() : null;
        byte[] password = header.hasPassword() ? payload.passwordInBytes() : null;
        ConnectRequest request = new ConnectRequest(clientId, header.isCleanSession(), header.keepAliveTimeSeconds(),
                username, password, will, (InetSocketAddress) channel.remoteAddress(), listenerName, protocolLevel);
        state = State.CONNECTING;
        int keepAlive = header.keepAliveTimeSeconds();
        broker.connect(request, this).whenComplete((result, failure) -> {
            if (channel.eventLoop().inEventLoop()) {
                onConnectResult(result, failure, keepAlive);
            } else {
                channel.eventLoop().execute(() -> onConnectResult(result, failure, keepAlive));
            }
        });
    }

    private void onConnectResult(ConnectResult result, Throwable failure, int keepAlive) {
        if (failure != null) {
            LOG.error("Connecting client {} failed inside the broker", who(), failure);
            refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "internal error");
            return;
        }
        if (!result.accepted()) {
            refuseConnect(toNetty(result.code()), result.reason() != null ? result.reason() : result.code().name());
            return;
        }
        session = result.session();
        clientId = result.clientId();
        if (state == State.CLOSED) {
            // the client went away while we were authenticating it
            session.disconnected(false);
            return;
        }
        state = State.CONNECTED;
        channel.pipeline().remove(IDLE_HANDLER);
        if (keepAlive > 0) {
            long readerIdleMillis = keepAlive * 1500L;
            channel.pipeline().addFirst(IDLE_HANDLER,
                    new IdleStateHandler(readerIdleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        channel.writeAndFlush(new MqttConnAckMessage(
                new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(MqttConnectReturnCode.CONNECTION_ACCEPTED, result.sessionPresent())));
        LOG.info("Client {} connected ({}, {} session, keep alive {} s, listener '{}')", who(), protocolName(),
                result.sessionPresent() ? "resumed" : "new", keepAlive, listenerName);
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

    private String protocolName() {
        return switch (protocolLevel) {
            case 3 -> "MQTT 3.1";
            case 4 -> "MQTT 3.1.1";
            default -> "MQTT level " + protocolLevel;
        };
    }

    private void onPublish(MqttPublishMessage publish) {
        MqttPublishVariableHeader header = publish.variableHeader();
        String topic = header.topicName();
        int qos = publish.fixedHeader().qosLevel().value();
        int packetId = header.packetId();
        if (topic.isEmpty()) {
            protocolViolation("sent a PUBLISH with an empty topic");
            return;
        }
        if (qos > 0 && packetId == 0) {
            protocolViolation("sent a QoS " + qos + " PUBLISH without a packet identifier");
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(publish.payload());
        InboundPublish inbound = new InboundPublish(packetId, topic, payload, qos, publish.fixedHeader().isRetain());
        Runnable onAccepted = switch (qos) {
            case 1 -> () -> channel.write(ack(MqttMessageType.PUBACK, packetId));
            case 2 -> () -> channel.write(ack(MqttMessageType.PUBREC, packetId));
            default -> () -> { };
        };
        session.publish(inbound, onAccepted);
    }

    private void onSubscribe(MqttSubscribeMessage subscribe) {
        List<MqttTopicSubscription> topics = subscribe.payload().topicSubscriptions();
        if (topics.isEmpty()) {
            protocolViolation("sent a SUBSCRIBE without topic filters");
            return;
        }
        int packetId = subscribe.variableHeader().messageId();
        List<TopicSubscription> wanted = new ArrayList<>(topics.size());
        for (MqttTopicSubscription t : topics) {
            int qos = t.qualityOfService().value();
            if (qos > 2) {
                protocolViolation("asked for QoS " + qos + " in SUBSCRIBE");
                return;
            }
            wanted.add(new TopicSubscription(t.topicName(), qos));
        }
        session.subscribe(wanted, granted -> channel.write(new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId), new MqttSubAckPayload(granted))));
    }

    private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
        List<String> filters = unsubscribe.payload().topics();
        if (filters.isEmpty()) {
            protocolViolation("sent an UNSUBSCRIBE without topic filters");
            return;
        }
        int packetId = unsubscribe.variableHeader().messageId();
        session.unsubscribe(List.copyOf(filters), () -> channel.write(new MqttUnsubAckMessage(
                new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId))));
    }

    private static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    private static MqttMessage ack(MqttMessageType type, int packetId) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 2), MqttMessageIdVariableHeader.from(packetId));
    }

    // ---- ending connections ----

    private void refuseConnect(MqttConnectReturnCode code, String reason) {
        LOG.warn("Connection of client {} refused: {} (CONNACK return code {})", who(), reason, code.byteValue() & 0xFF);
        closeReason = reason;
        state = State.CLOSED;
        channel.writeAndFlush(new MqttConnAckMessage(
                new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(code, false))).addListener(ChannelFutureListener.CLOSE);
    }

    private void protocolViolation(String what) {
        closeWithReason("protocol violation: " + what);
    }

    private void closeWithReason(String reason) {
        if (closeReason == null) {
            closeReason = reason;
            LOG.warn("Closing the connection of client {}: {}", who(), reason);
        }
        State was = state;
        if (was != State.CONNECTED && was != State.CONNECTING) {
            state = State.CLOSED;
        }
        channel.close();
    }

    private static MqttConnectReturnCode toNetty(ConnectReturnCode code) {
        return switch (code) {
            case ACCEPTED -> MqttConnectReturnCode.CONNECTION_ACCEPTED;
            case UNACCEPTABLE_PROTOCOL_VERSION -> MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION;
            case IDENTIFIER_REJECTED -> MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case SERVER_UNAVAILABLE -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            case BAD_USERNAME_OR_PASSWORD -> MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
        };
    }

    // ---- ClientConnection: the core's port to this client ----

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public void sendPublish(OutboundPublish p) {
        ByteBuf payload = Unpooled.wrappedBuffer(p.payload());
        channel.write(new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, p.dup(), MqttQoS.valueOf(p.qos()), p.retain(), 0),
                new MqttPublishVariableHeader(p.topic(), p.packetId()), payload));
    }

    @Override
    public void sendPubrel(int packetId) {
        channel.write(ack(MqttMessageType.PUBREL, packetId));
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close(String reason) {
        if (channel.eventLoop().inEventLoop()) {
            closeWithReason(reason);
        } else {
            channel.eventLoop().execute(() -> closeWithReason(reason));
        }
    }
}
