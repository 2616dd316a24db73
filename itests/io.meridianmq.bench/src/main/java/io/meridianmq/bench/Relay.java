package io.meridianmq.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
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
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The load generator's ceiling: speaks just enough MQTT (CONNACK, SUBACK, PUBACK) and passes
 * every PUBLISH on to the subscribers of its exact topic or of a {@code prefix/#}, without
 * sessions, queues, matching trees or acknowledgement tracking. Whatever the harness measures
 * above this is a limit of the harness (or the machine), not of a broker.
 */
public final class Relay {

    private final Map<String, List<Channel>> exact = new ConcurrentHashMap<>();
    private final Map<String, List<Channel>> prefixes = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        new Relay().run(Integer.parseInt(args[0]));
    }

    private void run(int port) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("relay"), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        new ServerBootstrap().group(loops).channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new MqttDecoder(1024 * 1024), MqttEncoder.INSTANCE, new Handler());
                    }
                }).bind("127.0.0.1", port).sync().channel().closeFuture().sync();
    }

    private final class Handler extends SimpleChannelInboundHandler<MqttMessage> {
        private int nextId = 1;
        /** Subscribers written to during this read, flushed once at its end. */
        private final java.util.Set<Channel> unflushed = new java.util.HashSet<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            switch (msg.fixedHeader().messageType()) {
                case CONNECT -> ctx.write(new MqttConnAckMessage(new MqttFixedHeader(MqttMessageType.CONNACK, false,
                        MqttQoS.AT_MOST_ONCE, false, 0),
                        new MqttConnAckVariableHeader(MqttConnectReturnCode.CONNECTION_ACCEPTED, false)));
                case SUBSCRIBE -> {
                    MqttSubscribeMessage s = (MqttSubscribeMessage) msg;
                    int[] granted = new int[s.payload().topicSubscriptions().size()];
                    int i = 0;
                    for (MqttTopicSubscription t : s.payload().topicSubscriptions()) {
                        String f = t.topicFilter();
                        if (f.endsWith("/#")) {
                            prefixes.computeIfAbsent(f.substring(0, f.length() - 1), k -> new CopyOnWriteArrayList<>())
                                    .add(ctx.channel());
                        } else {
                            exact.computeIfAbsent(f, k -> new CopyOnWriteArrayList<>()).add(ctx.channel());
                        }
                        granted[i++] = t.qualityOfService().value();
                    }
                    ctx.write(new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false,
                            MqttQoS.AT_MOST_ONCE, false, 0),
                            MqttMessageIdVariableHeader.from(s.variableHeader().messageId()),
                            new MqttSubAckPayload(granted)));
                }
                case PUBLISH -> {
                    MqttPublishMessage p = (MqttPublishMessage) msg;
                    String topic = p.variableHeader().topicName();
                    MqttQoS qos = p.fixedHeader().qosLevel();
                    forward(exact.get(topic), p, qos);
                    for (Map.Entry<String, List<Channel>> e : prefixes.entrySet()) {
                        if (topic.startsWith(e.getKey())) {
                            forward(e.getValue(), p, qos);
                        }
                    }
                    if (qos == MqttQoS.AT_LEAST_ONCE) {
                        ctx.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false,
                                MqttQoS.AT_MOST_ONCE, false, 0),
                                MqttMessageIdVariableHeader.from(p.variableHeader().packetId())));
                    }
                }
                case PINGREQ -> ctx.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false,
                        MqttQoS.AT_MOST_ONCE, false, 0)));
                case DISCONNECT -> ctx.close();
                default -> {
                    // PUBACKs from subscribers: nothing is tracked
                }
            }
        }

        private void forward(List<Channel> subscribers, MqttPublishMessage p, MqttQoS qos) {
            if (subscribers == null) {
                return;
            }
            for (Channel s : subscribers) {
                int id = qos == MqttQoS.AT_MOST_ONCE ? 0 : nextPacketId();
                unflushed.add(s);
                s.write(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false,
                        0), new MqttPublishVariableHeader(p.variableHeader().topicName(), id),
                        p.payload().retainedDuplicate()), s.voidPromise());
            }
        }

        private int nextPacketId() {
            int id = nextId;
            nextId = id == 65535 ? 1 : id + 1;
            return id;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            for (Channel s : unflushed) {
                s.flush();
            }
            unflushed.clear();
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            exact.values().forEach(l -> l.remove(ctx.channel()));
            prefixes.values().forEach(l -> l.remove(ctx.channel()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
