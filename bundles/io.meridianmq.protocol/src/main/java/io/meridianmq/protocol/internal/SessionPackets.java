package io.meridianmq.protocol.internal;

import java.util.List;

import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an accepted client's PUBLISH, PUBREL, SUBSCRIBE and UNSUBSCRIBE ask of its
 * {@link ClientSession}, and the acknowledgements written back once the session has answered
 * (MQTT 3 clients get MQTT 3's codes).
 *
 * <p>Threading: the channel's event loop only; the session answers there too.
 */
final class SessionPackets {

    private static final Logger LOG = LoggerFactory.getLogger(SessionPackets.class);

    private final MqttConnection connection;
    private final Channel channel;
    private final ClientSession session;
    private final boolean v5;
    private final BrokerCapabilities capabilities;
    /** Topic aliases and the receive maximum of an MQTT 5 client (null for MQTT 3). */
    private final InboundFlow inboundFlow;

    SessionPackets(MqttConnection connection, Channel channel, ClientSession session, boolean v5,
            BrokerCapabilities capabilities, InboundFlow inboundFlow) {
        this.connection = connection;
        this.channel = channel;
        this.session = session;
        this.v5 = v5;
        this.capabilities = capabilities;
        this.inboundFlow = inboundFlow;
    }

    /** The broker's answer when the store cannot write a message (see ClientSession#publish). */
    private static final int NOT_STORED = MqttReasonCodes.PubAck.UNSPECIFIED_ERROR.byteValue() & 0xFF;

    void publish(MqttPublishMessage publish) {
        PublishPacket.Read read;
        try {
            read = PublishPacket.read(publish, capabilities, inboundFlow);
        } catch (PacketRuleViolation v) {
            connection.serverDisconnect(v.reason, v.getMessage());
            return;
        }
        InboundPublish inbound = read.publish();
        int qos = inbound.qos();
        int packetId = inbound.packetId();
        if (read.payloadFormatInvalid()) {
            int invalid = MqttReasonCodes.PubAck.PAYLOAD_FORMAT_INVALID.byteValue() & 0xFF;
            LOG.info("Client {}: PUBLISH to '{}' marked UTF-8 but its payload is not; refused (0x{})",
                    connection.who(), inbound.topic(), Integer.toHexString(invalid));
            if (qos > 0) {
                channel.write(ack(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId, invalid));
            }
            return;
        }
        session.publish(inbound, reason -> {
            if (!v5 && reason == NOT_STORED) {
                // MQTT 3 has no negative PUBACK: a plain one would say the message is safe
                connection.serverDisconnect(DisconnectReason.UNSPECIFIED_ERROR,
                        "the broker cannot take its QoS " + qos + " PUBLISH to '" + inbound.topic()
                                + "' now (the store cannot write, or a plugin could not hand it on); it is not "
                                + "acknowledged");
                return;
            }
            if (qos == 1) {
                acknowledged(packetId);
                channel.write(ack(MqttMessageType.PUBACK, packetId, reason));
            } else if (qos == 2) {
                channel.write(ack(MqttMessageType.PUBREC, packetId, reason));
                if (reason >= (MqttReasonCodes.PubRec.UNSPECIFIED_ERROR.byteValue() & 0xFF)) {
                    acknowledged(packetId); // an error PUBREC ends the exchange
                }
            }
        });
    }

    /** PUBREL: the second half of the client's QoS 2 exchange, answered by PUBCOMP. */
    void release(int packetId) {
        session.release(packetId, reason -> {
            acknowledged(packetId);
            channel.write(ack(MqttMessageType.PUBCOMP, packetId, reason));
        });
    }

    void subscribe(MqttSubscribeMessage subscribe) {
        int packetId = subscribe.variableHeader().messageId();
        List<TopicSubscription> wanted;
        try {
            wanted = SubscribePacket.read(subscribe, v5, Boolean.TRUE.equals(ChannelAttributes.peek(channel, PacketFramer.BRIDGE)));
        } catch (PacketRuleViolation v) {
            connection.serverDisconnect(v.reason, v.getMessage());
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

    void unsubscribe(MqttUnsubscribeMessage unsubscribe) {
        List<String> filters = unsubscribe.payload().topics();
        if (filters.isEmpty()) {
            connection.protocolViolation("sent an UNSUBSCRIBE without topic filters");
            return;
        }
        int packetId = unsubscribe.variableHeader().messageId();
        session.unsubscribe(List.copyOf(filters), reasons -> channel.write(ServerPackets.unsubAck(packetId, reasons, v5)));
    }

    private MqttMessage ack(MqttMessageType type, int packetId, int reason) {
        return ServerPackets.ack(type, packetId, reason, v5);
    }

    /** A QoS 1/2 exchange from the client ended (PUBACK, PUBCOMP or an error PUBREC sent). */
    private void acknowledged(int packetId) {
        if (inboundFlow != null) {
            inboundFlow.acknowledged(packetId);
        }
    }
}
