package io.meridianmq.broker.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.meridianmq.sdk.message.PublishProperties;

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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one message costs a subscriber's queue that is already at {@code max_queued_messages}
 * (a consumer that stopped reading while its publishers go on): the queue must decide what to
 * drop for every message that arrives. Queues of QoS 1 messages that never expire (the flood the
 * held-rate benchmark found), of the sizes an operator sets. Before 3109ef7 a full queue looked
 * through all it held, twice, for each arrival; run it on both sides of that commit to see the
 * difference (itests/bench/jmh.sh FullQueue).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FullQueueBenchmark {

    @Param({"1000", "100000"})
    public int limit;

    private OutboundQueue queue;
    private Delivery arriving;
    private long dropped;

    @Setup
    public void fill() {
        StoreMirror notStored = new StoreMirror("c", (SessionContext) java.lang.reflect.Proxy.newProxyInstance(
                SessionContext.class.getClassLoader(), new Class<?>[] {SessionContext.class}, (p, m, a) -> null));
        queue = new OutboundQueue("c", notStored, (d, why) -> dropped++, () -> { });
        for (int i = 0; i < limit; i++) {
            queue.offer(qos1("queued " + i), limit, 0, false);
        }
        arriving = qos1("arriving");
    }

    private static Delivery qos1(String text) {
        Message m = new Message("t", text.getBytes(StandardCharsets.UTF_8), 1, false, PublishProperties.NONE,
                Long.MAX_VALUE, "p");
        return new Delivery(m, 1, false, null, null);
    }

    /** One message arrives at the full queue (and is dropped: nothing older may go). */
    @Benchmark
    public long offerToAFullQueue() {
        queue.offer(arriving, limit, 0, false);
        return dropped;
    }
}
