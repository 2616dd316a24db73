package io.meridianmq.broker.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Matching one topic against 100k and 1M subscriptions of as many sessions: 80% exact filters
 * ({@code site/S/dev/D/temp}), 10% with '+' ({@code site/S/dev/+/temp}, so every publish also
 * matches the site's wildcard subscribers) and 10% with '#' ({@code site/S/dev/D/#}). Run with
 * {@code -prof gc} for the allocation per match (itests/bench/jmh.sh).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class SubscriptionTreeBenchmark {

    @Param({"100000", "1000000"})
    public int subscriptions;

    private static final int SITES = 1000;

    private BrokerCore core;
    private SubscriptionTree tree;
    private String[] topics;

    @Setup(Level.Trial)
    public void fill() {
        core = SessionFlowTest.startedCore(Map.of(), Duration.ofSeconds(5));
        tree = new SubscriptionTree();
        for (int i = 0; i < subscriptions; i++) {
            Session session = new Session("c" + i, 0, core.parts());
            int site = i % SITES;
            String filter = switch (i % 10) {
                case 0 -> "site/" + site + "/dev/+/temp";
                case 1 -> "site/" + site + "/dev/" + i + "/#";
                default -> "site/" + site + "/dev/" + i + "/temp";
            };
            tree.subscribe(new Subscription(session, filter, 1, false, false, 0, null));
        }
        topics = new String[4096];
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < topics.length; i++) {
            int d = r.nextInt(subscriptions);
            topics[i] = "site/" + (d % SITES) + "/dev/" + d + "/temp";
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        core.deactivate();
    }

    private int next;

    @Benchmark
    public void match(Blackhole hole) {
        String topic = topics[next++ & (topics.length - 1)];
        tree.match(topic, new SubscriptionTree.MatchVisitor() {
            @Override
            public void subscription(Subscription subscription) {
                hole.consume(subscription);
            }

            @Override
            public void sharedGroup(SubscriptionTree.SharedGroup group) {
                hole.consume(group);
            }
        });
    }
}
