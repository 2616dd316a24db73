package io.meridianmq.bench;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;

/**
 * One MQTT 3.1.1 (or 5, for the connection storms) connection of the load generator: CONNECT, SUBSCRIBE, PUBLISH at QoS 0/1/2
 * (acknowledging what it receives), nothing else. Every callback runs on the connection's event
 * loop; the sender methods must be called there too ({@link #channel()}{@code .eventLoop()}).
 */
final class LoadClient {

    /**
     * How a client logs in: protocol version, clean or persistent session (MQTT 5: a session
     * expiry of 10 minutes), and a user name and password (both null: anonymous).
     */
    record Login(MqttVersion version, boolean clean, String user, String password) {
        static final Login ANONYMOUS_311 = new Login(MqttVersion.MQTT_3_1_1, true, null, null);

        String describe() {
            return (version == MqttVersion.MQTT_5 ? "MQTT 5" : "MQTT 3.1.1") + (clean ? ", clean" : ", persistent")
                    + (user == null ? ", anonymous" : ", password");
        }
    }

    /** Set on a bootstrap's channels: they speak TLS with this context ({@link LoadGenerator#withTls}). */
    static final AttributeKey<SslContext> TLS = AttributeKey.valueOf("bench.tls");

    /** What the client does with messages it receives. */
    interface Receiver {
        /** A PUBLISH arrived; {@code payload} is valid during the call only. */
        void received(ByteBuf payload, long nanoTime);
    }

    private final Channel channel;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile CompletableFuture<Void> subscribed;
    private volatile Receiver receiver = (p, t) -> { };
    /** QoS 1 and 2 PUBLISHes sent and not acknowledged (PUBACK, PUBCOMP) yet. */
    final AtomicInteger inflight = new AtomicInteger();
    private Runnable onAcknowledged = () -> { };
    private int nextPacketId = 1;

    private LoadClient(Channel channel) {
        this.channel = channel;
    }

    /** Connects (TCP and MQTT) from {@code local} (null: any) to {@code broker}. */
    static CompletableFuture<LoadClient> connect(Bootstrap base, InetSocketAddress broker, InetSocketAddress local,
            String clientId, int keepAliveSeconds) {
        return connect(base, broker, local, clientId, keepAliveSeconds, Login.ANONYMOUS_311);
    }

    /** Connects (TCP and MQTT) from {@code local} (null: any) to {@code broker}, logging in as {@code login}. */
    static CompletableFuture<LoadClient> connect(Bootstrap base, InetSocketAddress broker, InetSocketAddress local,
            String clientId, int keepAliveSeconds, Login login) {
        return connect(base, broker, local, clientId, keepAliveSeconds, login, null);
    }

    /**
     * Connects as {@link #connect(Bootstrap, InetSocketAddress, InetSocketAddress, String, int, Login)} does,
     * with {@code receiver} (null: none) in place before the CONNECT goes out: what a resumed
     * session's queue sends right after CONNACK is counted too.
     */
    static CompletableFuture<LoadClient> connect(Bootstrap base, InetSocketAddress broker, InetSocketAddress local,
            String clientId, int keepAliveSeconds, Login login, Receiver receiver) {
        CompletableFuture<LoadClient> result = new CompletableFuture<>();
        LoadClient[] holder = new LoadClient[1];
        Bootstrap b = base.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                LoadClient client = new LoadClient(ch);
                if (receiver != null) {
                    client.receiver = receiver;
                }
                holder[0] = client;
                SslContext tls = ch.attr(TLS).get();
                if (tls != null) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc(), broker.getHostString(), broker.getPort()));
                }
                ch.pipeline().addLast(new MqttDecoder(1024 * 1024), MqttEncoder.INSTANCE, client.new Handler());
            }
        }).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
        ChannelFuture tcp = local == null ? b.connect(broker) : b.connect(broker, local);
        result.whenComplete((c, e) -> {
            if (e != null) {
                tcp.channel().close(); // refused, closed, or given up on by the caller (a timeout): no socket left behind
            }
        });
        tcp.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            LoadClient client = holder[0];
            client.channel.writeAndFlush(connectMessage(clientId, keepAliveSeconds, login));
            client.connected.whenComplete((v, e) -> {
                if (e != null) {
                    client.channel.close();
                    result.completeExceptionally(e);
                } else {
                    result.complete(client);
                }
            });
        });
        return result;
    }

    private static MqttMessage connectMessage(String clientId, int keepAliveSeconds, Login login) {
        MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect().clientId(clientId)
                .cleanSession(login.clean()).keepAlive(keepAliveSeconds).protocolVersion(login.version());
        if (login.user() != null) {
            connect.hasUser(true).username(login.user()).hasPassword(true)
                    .password(login.password().getBytes(StandardCharsets.UTF_8));
        }
        if (login.version() == MqttVersion.MQTT_5 && !login.clean()) {
            MqttProperties properties = new MqttProperties();
            properties.add(new MqttProperties.IntegerProperty(
                    MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 600));
            connect.properties(properties);
        }
        return connect.build();
    }

    Channel channel() {
        return channel;
    }

    CompletableFuture<Void> closed() {
        return closed;
    }

    void onReceive(Receiver r) {
        receiver = r;
    }

    /** Runs {@code r} on the event loop after each PUBACK (to send more). */
    void onAcknowledged(Runnable r) {
        onAcknowledged = r;
    }

    CompletableFuture<Void> subscribe(String filter, int qos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        subscribed = done;
        channel.eventLoop().execute(() -> channel.writeAndFlush(MqttMessageBuilders.subscribe()
                .messageId(packetId()).addSubscription(MqttQoS.valueOf(qos), filter).build()));
        return done;
    }

    /**
     * Writes a PUBLISH without flushing; the payload's reference passes to the write. Call on
     * the event loop.
     */
    void publish(String topic, ByteBuf payload, int qos) {
        int id = 0;
        if (qos > 0) {
            id = packetId();
            inflight.incrementAndGet();
        }
        channel.write(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false,
                MqttQoS.valueOf(qos), false, 0), new MqttPublishVariableHeader(topic, id), payload), channel.voidPromise());
    }

    void flush() {
        channel.flush();
    }

    void close() {
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) {
                channel.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false,
                        MqttQoS.AT_MOST_ONCE, false, 0))).addListener(f -> channel.close());
            }
        });
    }

    private int packetId() {
        int id = nextPacketId;
        nextPacketId = id == 65535 ? 1 : id + 1;
        return id;
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP for {@code packetId} (PUBREL's fixed header says QoS 1, as MQTT asks). */
    private static MqttMessage ack(MqttMessageType type, int packetId) {
        return new MqttMessage(new MqttFixedHeader(type, false,
                type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId));
    }

    private static int packetIdOf(MqttMessage msg) {
        return ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
    }

    private final class Handler extends SimpleChannelInboundHandler<MqttMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            if (msg.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            switch (msg.fixedHeader().messageType()) {
                case CONNACK -> {
                    MqttConnectReturnCode code = ((MqttConnAckMessage) msg).variableHeader().connectReturnCode();
                    if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                        connected.complete(null);
                    } else {
                        connected.completeExceptionally(new IllegalStateException("CONNACK " + code));
                    }
                }
                case SUBACK -> {
                    CompletableFuture<Void> s = subscribed;
                    if (s != null) {
                        s.complete(null);
                    }
                }
                case PUBLISH -> {
                    long now = System.nanoTime();
                    MqttPublishMessage p = (MqttPublishMessage) msg;
                    receiver.received(p.payload(), now);
                    if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                        ctx.write(ack(MqttMessageType.PUBACK, p.variableHeader().packetId()), ctx.voidPromise());
                    } else if (p.fixedHeader().qosLevel() == MqttQoS.EXACTLY_ONCE) {
                        // counted on arrival; the exchange then ends with PUBREL from the broker
                        ctx.write(ack(MqttMessageType.PUBREC, p.variableHeader().packetId()), ctx.voidPromise());
                    }
                }
                case PUBREC -> ctx.write(ack(MqttMessageType.PUBREL, packetIdOf(msg)), ctx.voidPromise());
                case PUBREL -> ctx.write(ack(MqttMessageType.PUBCOMP, packetIdOf(msg)), ctx.voidPromise());
                case PUBACK, PUBCOMP -> {
                    inflight.decrementAndGet();
                    onAcknowledged.run();
                }
                default -> {
                    // PINGRESP and the rest: nothing to do
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                onAcknowledged.run(); // a sender waiting for room goes on
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connected.completeExceptionally(new IllegalStateException("connection closed"));
            closed.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
