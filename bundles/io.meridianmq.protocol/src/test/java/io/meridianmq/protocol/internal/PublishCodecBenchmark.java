package io.meridianmq.protocol.internal;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and encoding one PUBLISH through the handlers the broker installs (the packet framer,
 * then Netty's MQTT decoder; Netty's encoder outbound), a 64 or 1024 byte payload at QoS 1.
 * Run with {@code -prof gc} for the allocation per message (itests/bench/jmh.sh).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PublishCodecBenchmark {

    @Param({"64", "1024"})
    public int payloadSize;

    private EmbeddedChannel decoder;
    private EmbeddedChannel encoder;
    private ByteBuf wire;
    private ByteBuf payload;

    @Setup
    public void setUp() {
        decoder = new EmbeddedChannel(new PacketFramer(16 * 1024 * 1024, 16 * 1024 * 1024), new MqttDecoder(16 * 1024 * 1024));
        encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
        decoder.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        encoder.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(payloadSize).writeZero(payloadSize));
        encoder.writeOutbound(publish());
        ByteBuf encoded = encoder.readOutbound();
        wire = Unpooled.unreleasableBuffer(Unpooled.directBuffer(encoded.readableBytes()).writeBytes(encoded));
        encoded.release();
    }

    private MqttPublishMessage publish() {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE,
                false, 0), new MqttPublishVariableHeader("site/42/dev/4242/temperature", 17), payload.duplicate());
    }

    @TearDown
    public void tearDown() {
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
    }

    @Benchmark
    public Object decode() {
        decoder.writeInbound(wire.duplicate());
        MqttMessage m = decoder.readInbound();
        Object header = m.variableHeader();
        ReferenceCountUtil.release(m);
        return header;
    }

    @Benchmark
    public int encode() {
        encoder.writeOutbound(publish());
        ByteBuf out = encoder.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
