package io.meridianmq.broker.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.broker.TopicSubscription;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The broker core's share of the hot path, without the network: one QoS 0 PUBLISH from a
 * connected client through the session's mailbox, routing and each subscriber's mailbox to the
 * {@code sendPublish} of its connection (which drops it), for 1, 10 and 100 subscribers of the
 * topic. Every executor runs tasks at once, as in {@link SessionFlowTest}. Run with
 * {@code -prof gc} for the allocation per message (itests/bench/jmh.sh Route).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RouteBenchmark {

    @Param({"1", "10", "100"})
    public int subscribers;

    /** A connected client's connection that takes every PUBLISH and sends it nowhere. */
    static final class DiscardingConnection implements ClientConnection {
        long sent;

        @Override
        public Executor executor() {
            return Runnable::run;
        }

        @Override
        public boolean sendPublish(OutboundPublish publish) {
            sent++;
            return true;
        }

        @Override
        public void sendPubrel(int packetId) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close(DisconnectReason reason, String detail) {
        }
    }

    private BrokerCore core;
    private ClientSession publisher;
    private final byte[] payload = new byte[64];

    @Setup(Level.Trial)
    public void connect() {
        core = SessionFlowTest.startedCore(Map.of(), Duration.ofSeconds(5));
        for (int i = 0; i < subscribers; i++) {
            ClientSession s = open("sub-" + i);
            s.subscribe(List.of(new TopicSubscription("bench/t", 0)), granted -> { });
        }
        publisher = open("pub");
    }

    private ClientSession open(String clientId) {
        ConnectRequest request = new ConnectRequest(clientId, true, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 40000), "bench", 4, 0, 65535);
        ConnectResult result = core.connect(request, new DiscardingConnection()).toCompletableFuture().join();
        result.session().open();
        return result.session();
    }

    @TearDown(Level.Trial)
    public void stop() {
        core.deactivate();
    }

    @Benchmark
    public void publishQos0() {
        publisher.publish(new InboundPublish(0, "bench/t", payload, 0, false), reason -> { });
    }
}
