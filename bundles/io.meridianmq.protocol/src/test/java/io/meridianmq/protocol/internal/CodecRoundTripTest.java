package io.meridianmq.protocol.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;

import org.junit.Test;

/**
 * Packets encoded and decoded through the pipeline the broker uses (fixed-header guard, Netty's
 * MQTT decoder and encoder), including the remaining-length encoding at its boundaries.
 */
public class CodecRoundTripTest {

    private static final int MAX = MqttPipelineComponent.MQTT_MAX_PACKET_SIZE;

    private static ByteBuf encode(MqttMessage message) {
        EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
        encoder.writeOutbound(message);
        ByteBuf out = Unpooled.buffer();
        for (ByteBuf b; (b = encoder.readOutbound()) != null;) {
            out.writeBytes(b);
            b.release();
        }
        encoder.finishAndReleaseAll();
        return out;
    }

    private static EmbeddedChannel decoder() {
        return new EmbeddedChannel(new PacketFramer(MAX, MAX), new MqttDecoder(MAX));
    }

    private static MqttPublishMessage publish(String topic, int qos, int packetId, byte[] payload) {
        return new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false, 0),
                new MqttPublishVariableHeader(topic, packetId), Unpooled.wrappedBuffer(payload));
    }

    /** The remaining length as the fixed header encodes it, read back from the wire bytes. */
    private static int lengthBytes(ByteBuf wire) {
        int n = 0;
        while ((wire.getByte(1 + n) & 0x80) != 0) {
            n++;
        }
        return n + 1;
    }

    @Test
    public void publishRoundTripsAtEveryRemainingLengthBoundary() {
        String topic = "t";
        int overhead = 2 + topic.length() + 2; // topic length prefix, topic, packet id
        int[][] cases = { // remaining length, expected number of length bytes
            {overhead, 1}, {127, 1}, {128, 2}, {16_383, 2}, {16_384, 3}, {2_097_151, 3}, {2_097_152, 4}};
        for (int[] c : cases) {
            int remaining = c[0];
            byte[] payload = new byte[remaining - overhead];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            ByteBuf wire = encode(publish(topic, 1, 42, payload));
            assertEquals("length bytes for " + remaining, c[1], lengthBytes(wire));
            assertEquals(1 + c[1] + remaining, wire.readableBytes());

            EmbeddedChannel ch = decoder();
            // feed it in awkward pieces to prove the guard and decoder cope with fragmentation
            while (wire.isReadable()) {
                ch.writeInbound(wire.readRetainedSlice(Math.min(wire.readableBytes(), 7_001)));
            }
            wire.release();
            MqttPublishMessage decoded = ch.readInbound();
            assertTrue(decoded.decoderResult().isSuccess());
            assertEquals(topic, decoded.variableHeader().topicName());
            assertEquals(42, decoded.variableHeader().packetId());
            assertEquals(MqttQoS.AT_LEAST_ONCE, decoded.fixedHeader().qosLevel());
            assertArrayEquals(payload, ByteBufUtil.getBytes(decoded.payload()));
            decoded.release();
            assertNull(ch.readInbound());
            ch.finishAndReleaseAll();
        }
    }

    @Test
    public void connectRoundTripsForMqtt311And31() {
        for (MqttVersion version : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_3_1}) {
            MqttConnectMessage connect = MqttMessageBuilders.connect().clientId("client-1").protocolVersion(version)
                    .cleanSession(false).keepAlive(30).willFlag(true).willTopic("w/t").willQoS(MqttQoS.AT_LEAST_ONCE)
                    .willMessage("bye".getBytes(StandardCharsets.UTF_8)).willRetain(true).hasUser(true)
                    .username("alice").hasPassword(true).password("secret".getBytes(StandardCharsets.UTF_8)).build();
            EmbeddedChannel ch = decoder();
            ch.writeInbound(encode(connect));
            MqttConnectMessage decoded = ch.readInbound();
            assertTrue(decoded.decoderResult().isSuccess());
            assertEquals(version.protocolLevel(), decoded.variableHeader().version());
            assertEquals("client-1", decoded.payload().clientIdentifier());
            assertFalse(decoded.variableHeader().isCleanSession());
            assertEquals(30, decoded.variableHeader().keepAliveTimeSeconds());
            assertEquals("w/t", decoded.payload().willTopic());
            assertEquals(1, decoded.variableHeader().willQos());
            assertTrue(decoded.variableHeader().isWillRetain());
            assertArrayEquals("bye".getBytes(StandardCharsets.UTF_8), decoded.payload().willMessageInBytes());
            assertEquals("alice", decoded.payload().userName());
            assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8), decoded.payload().passwordInBytes());
            ch.finishAndReleaseAll();
        }
    }

    @Test
    public void subscribeRoundTrips() {
        MqttSubscribeMessage subscribe = MqttMessageBuilders.subscribe().messageId(7)
                .addSubscription(MqttQoS.EXACTLY_ONCE, "a/+/b").addSubscription(MqttQoS.AT_MOST_ONCE, "c/#").build();
        EmbeddedChannel ch = decoder();
        ch.writeInbound(encode(subscribe));
        MqttSubscribeMessage decoded = ch.readInbound();
        assertTrue(decoded.decoderResult().isSuccess());
        assertEquals(7, decoded.variableHeader().messageId());
        assertEquals(2, decoded.payload().topicSubscriptions().size());
        assertEquals("a/+/b", decoded.payload().topicSubscriptions().get(0).topicName());
        assertEquals(MqttQoS.EXACTLY_ONCE, decoded.payload().topicSubscriptions().get(0).qualityOfService());
        ch.finishAndReleaseAll();
    }

    @Test
    public void severalPacketsInOneReadAreAllDecoded() {
        ByteBuf wire = Unpooled.buffer();
        for (int i = 1; i <= 3; i++) {
            ByteBuf p = encode(publish("x/" + i, 0, 0, new byte[] {(byte) i}));
            wire.writeBytes(p);
            p.release();
        }
        EmbeddedChannel ch = decoder();
        ch.writeInbound(wire);
        for (int i = 1; i <= 3; i++) {
            MqttPublishMessage m = ch.readInbound();
            assertEquals("x/" + i, m.variableHeader().topicName());
            m.release();
        }
        ch.finishAndReleaseAll();
    }

    @Test
    public void framerRejectsBadFlagsAndLengths() {
        List<int[]> bad = List.of(
                new int[] {0x00, 0x00}, // reserved type 0
                new int[] {0xC1, 0x00}, // PINGREQ with a flag
                new int[] {0x80, 0x00}, // SUBSCRIBE without 0010
                new int[] {0x62, 0x02, 0x00, 0x01, 0x63}, // PUBREL fine, then garbage type 6 flags 0011
                new int[] {0x36, 0x00}, // PUBLISH QoS 3
                new int[] {0x38, 0x00}, // PUBLISH QoS 0 with DUP
                new int[] {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}); // five length bytes
        for (int[] bytes : bad) {
            EmbeddedChannel ch = new EmbeddedChannel(new PacketFramer(1024, 1024));
            byte[] b = new byte[bytes.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) bytes[i];
            }
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(b));
                ch.checkException();
                throw new AssertionError("accepted " + ByteBufUtil.hexDump(b));
            } catch (MalformedPacketException expected) {
                // the connection handler closes the connection on this
            }
            ch.finishAndReleaseAll();
        }
    }

    @Test
    public void framerRefusesPacketsAboveTheLimitBeforeReadingThem() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketFramer(1000, 1000));
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x30, (byte) 0xE8, 0x07})); // 1000 bytes follow
            ch.checkException();
            throw new AssertionError("a 1003-byte packet passed a 1000-byte limit");
        } catch (MalformedPacketException expected) {
            assertTrue(expected.getMessage().contains("exceeds max_packet_size 1000"));
        }
        Object passed = ch.readInbound();
        assertNull(passed);
        ReferenceCountUtil.release(passed);
        ch.finishAndReleaseAll();
    }

    @Test
    public void beforeCONNACKTheConnectLimitAppliesAfterItMaxPacketSize() {
        PacketFramer framer = new PacketFramer(1000, 100_000);
        EmbeddedChannel ch = new EmbeddedChannel(framer);
        try {
            // a CONNECT declaring 16 MiB: refused from its header, nothing of it buffered
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x07}));
            ch.checkException();
            throw new AssertionError("a 16 MiB CONNECT passed a 1000-byte CONNECT limit");
        } catch (MalformedPacketException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("max_connect_packet_size (before CONNACK) 1000"));
        }
        ch.finishAndReleaseAll();

        PacketFramer accepted = new PacketFramer(1000, 100_000);
        accepted.accepted();
        EmbeddedChannel after = new EmbeddedChannel(accepted);
        byte[] publish = new byte[3 + 2000];
        publish[0] = 0x30;
        publish[1] = (byte) (2000 % 128 | 0x80);
        publish[2] = (byte) (2000 / 128);
        publish[4] = 1; // topic length 1 ...
        publish[5] = 't';
        assertTrue("a 2003-byte PUBLISH after CONNACK passes", after.writeInbound(Unpooled.wrappedBuffer(publish)));
        after.finishAndReleaseAll();
    }
}
