package io.meridianmq.protocol.internal;

import java.util.concurrent.Executor;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.OutboundPublish;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker core's port to one accepted client ({@link ClientConnection}): PUBLISH and PUBREL
 * written to its channel (within the client's Maximum Packet Size; QoS 0 dropped when the client
 * reads far too slowly), reading paused while receivers it publishes to are congested, and the
 * connection ended with a reason.
 *
 * <p>Threading: the channel's event loop (the core calls it from the session, which runs there
 * while the client is connected), except {@link #close}, which may come from any thread.
 */
final class ClientPort implements ClientConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ClientPort.class);
    /** Bytes waiting to be written to one client beyond which QoS 0 messages to it are dropped. */
    private static final long MAX_PENDING_QOS0_BYTES = 8L << 20;

    private final Channel channel;
    private final boolean v5;
    /** The largest packet the client takes (MQTT 5 Maximum Packet Size). */
    private final int clientMaxPacketSize;
    /**
     * Names the client in log lines and ends it (on the event loop) with a DISCONNECT reason for
     * MQTT 5 clients; its reading is paused while sessions it publishes to are congested.
     */
    private final MqttConnection connection;
    private long droppedQos0;
    private final ConnectionCounters counters;

    ClientPort(Channel channel, MqttConnection connection, boolean v5, int clientMaxPacketSize,
            ConnectionCounters counters) {
        this.connection = connection;
        this.counters = counters;
        this.channel = channel;
        this.v5 = v5;
        this.clientMaxPacketSize = clientMaxPacketSize;
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public void pauseReading() {
        connection.readPause().pause();
    }

    @Override
    public void resumeReading() {
        connection.readPause().resume();
    }

    @Override
    public boolean sendPublish(OutboundPublish p) {
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            props = OutboundProperties.of(p);
            long size = OutboundProperties.packetSize(p, props);
            if (size > clientMaxPacketSize) {
                LOG.debug("Client {}: PUBLISH to '{}' of {} bytes exceeds the client's maximum packet size {}; not sent",
                        connection.who(), p.topic(), size, clientMaxPacketSize);
                counters.droppedTooLarge.increment();
                return false;
            }
        }
        if (p.qos() == 0 && !channel.isWritable() && channel.isActive()
                && channel.bytesBeforeWritable() > MAX_PENDING_QOS0_BYTES) {
            // the client reads far slower than messages come, and its publishers were held back
            // already: QoS 0 is dropped here rather than piled up without bound
            counters.droppedSlowReader.increment();
            if (droppedQos0++ % 10_000 == 0) {
                LOG.warn("Client {} reads too slowly: {} MiB wait to be written; QoS 0 messages are dropped ({} so far)",
                        connection.who(), channel.bytesBeforeWritable() >> 20, droppedQos0);
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

    @Override
    public void sendPubrel(int packetId) {
        channel.write(ServerPackets.ack(MqttMessageType.PUBREL, packetId, 0, v5), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close(DisconnectReason reason, String detail) {
        if (channel.eventLoop().inEventLoop()) {
            connection.serverDisconnect(reason, detail);
        } else {
            channel.eventLoop().execute(() -> connection.serverDisconnect(reason, detail));
        }
    }
}
