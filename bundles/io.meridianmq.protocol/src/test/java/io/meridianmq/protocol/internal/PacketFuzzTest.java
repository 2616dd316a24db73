package io.meridianmq.protocol.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.meridianmq.protocol.ListenerOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.util.ReferenceCountUtil;

/**
 * Fuzzes what a client sends, bytes as they come off the socket, through the whole MQTT
 * pipeline (packet framer, Netty's decoder, the connection state machine) on an
 * {@link EmbeddedChannel}, with {@link RecordingBroker} behind it. Invariants: no exception
 * escapes the pipeline; every byte the client sent is released in the end (the framer's slices
 * share the input's reference count, so a leaked packet shows there); and a connection the
 * broker ends with a DISCONNECT says why with an error reason code (0x80 or more).
 *
 * <p>In every build the inputs under {@code src/test/resources/.../PacketFuzzTestInputs/}
 * (the seed corpus and every crash found, as regression tests) are replayed; with
 * {@code JAZZER_FUZZ=1} one target is fuzzed (the build runs each for {@code fuzz.duration};
 * docs/TESTING.md gives the long campaign's command).
 */
class PacketFuzzTest {

    /** CONNECT for MQTT 3.1.1, client id "f", clean session, keep alive 60. */
    private static final byte[] CONNECT_V3 = {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 1, 'f'};
    /** CONNECT for MQTT 5, client id "f", clean start, keep alive 60, no properties. */
    private static final byte[] CONNECT_V5 = {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 60, 0, 0, 1, 'f'};

    /** Any bytes as the first a client sends: the framer, the decoder and CONNECT's rules. */
    @FuzzTest(maxDuration = "20s")
    void framerAndDecoder(byte[] data) {
        drive(data);
    }

    /**
     * An accepted client (MQTT 3.1.1 or 5, by the first byte's lowest bit) then sending any
     * bytes: PUBLISH, SUBSCRIBE, the QoS flows, AUTH, DISCONNECT and whatever breaks their rules.
     */
    @FuzzTest(maxDuration = "20s")
    void connectionStateMachine(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] connect = (data[0] & 1) == 0 ? CONNECT_V3 : CONNECT_V5;
        byte[] all = new byte[connect.length + data.length - 1];
        System.arraycopy(connect, 0, all, 0, connect.length);
        System.arraycopy(data, 1, all, connect.length, data.length - 1);
        drive(all);
    }

    private static void drive(byte[] bytes) {
        if (bytes.length == 0) {
            return; // nothing sent (and Netty's shared empty buffer cannot be released)
        }
        ProtocolSettings settings = new ProtocolSettings(64 * 1024, 10, 10, 100, 65535, "responses/", -1, 4096);
        EmbeddedChannel server = new EmbeddedChannel();
        MqttPipelineComponent.addHandlers(server.pipeline(), settings, new ConnectTurns(0), new MqttConnection(new RecordingBroker(), "fuzz",
                settings, new ConnectionCounters(), new PacketTrace(java.nio.file.Path.of(
                        System.getProperty("java.io.tmpdir"))), ListenerOptions.NONE, new LoadLimits()));
        ByteBuf input = Unpooled.wrappedBuffer(bytes);
        List<ByteBuf> written = new ArrayList<>();
        try {
            // in pieces, as reads come: a packet split across reads must be framed the same
            int step = Math.max(1, bytes.length / 3);
            for (int at = 0; at < bytes.length && server.isOpen(); at += step) {
                server.writeInbound(input.retainedSlice(at, Math.min(step, bytes.length - at)));
                server.runPendingTasks();
            }
            for (Object out; (out = server.readOutbound()) != null;) {
                written.add((ByteBuf) out);
            }
            if (!server.isOpen()) {
                checkLastAnswer(written, bytes.length > 8 && bytes[0] == 0x10 && bytes[8] == 5);
            }
        } finally {
            server.finishAndReleaseAll(); // throws what escaped the pipeline, if anything did
            written.forEach(ReferenceCountUtil::release);
            input.release();
        }
        assertEquals(0, input.refCnt(), "every byte the client sent is released");
    }

    /** The broker ended the connection: a DISCONNECT it sent last carries an error reason. */
    private static void checkLastAnswer(List<ByteBuf> written, boolean v5) {
        if (written.isEmpty()) {
            return; // closed without a word: MQTT 3.1.1's answer to a malformed packet
        }
        EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder());
        if (v5) {
            // the client side decodes as the version its CONNECT asked for (Netty keeps it in this attribute)
            client.attr(io.netty.util.AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION"))
                    .set(io.netty.handler.codec.mqtt.MqttVersion.MQTT_5);
        }
        try {
            for (ByteBuf b : written) {
                client.writeInbound(b.retainedDuplicate());
            }
            MqttMessage last = null;
            for (Object m; (m = client.readInbound()) != null;) {
                ReferenceCountUtil.release(last);
                last = (MqttMessage) m;
            }
            if (last != null && last.fixedHeader().messageType() == MqttMessageType.DISCONNECT
                    && last.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
                assertTrue((h.reasonCode() & 0xFF) >= 0x80, "a DISCONNECT from the broker has an error reason: "
                        + h.reasonCode());
            }
            ReferenceCountUtil.release(last);
        } finally {
            client.finishAndReleaseAll();
        }
    }
}
