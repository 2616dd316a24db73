package io.meridianmq.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.concurrent.ScheduledFuture;

import org.HdrHistogram.Histogram;

/**
 * The benchmark scenarios. Each is bounded in time, counts what arrived against what should
 * have, and gives the broker credit only for messages delivered.
 */
final class Scenarios {

    /** How big a run is: the full benchmark or the smoke run of the test suite. */
    record Scale(long sendMillis, int fanInPublishers, int fanOutSubscribers, int pairs, int idleConnections,
            int[] latencyRates, long latencyMillis, List<String> sourceAddresses, int stormConnections,
            int searchTrials, int replayMessages) {

        static Scale full(int idle, List<String> sources) {
            return new Scale(5_000, 10, 100, 100, idle, new int[] {1_000, 10_000}, 10_000, sources,
                    Integer.getInteger("bench.storm", 15_000), 12, 100_000);
        }

        /**
         * What every broker process runs once, thrown away, before its measured traffic: enough
         * of every kind for the JIT compilers of the JVM brokers (and of the load generator) to
         * settle, so that no measured figure pays for compiling. (No idle connections: that
         * scenario measures memory and runs first, before any traffic.)
         */
        static Scale warmUp() {
            return new Scale(2_000, 10, 100, 100, 0, new int[] {10_000}, 3_000, List.of(), 15_000, 3, 10_000);
        }

        /**
         * The warm-up of a broker restarted for the latency scenarios: each of them once, at every
         * rate measured, for 3 s by default (it was the 10,000/s rate only: the 1,000/s runs met code
         * paths the JIT compilers had not seen; docs/PERFORMANCE.md shows what they still recompile
         * in the middle of measured runs); {@code bench.latency.warmup} (milliseconds) sets how long,
         * to tell a broker's steady state from what its first seconds cost.
         */
        Scale latencyWarmUp() {
            Scale w = warmUp();
            return new Scale(w.sendMillis(), w.fanInPublishers(), w.fanOutSubscribers(), w.pairs(), 0, latencyRates(),
                    Long.getLong("bench.latency.warmup", w.latencyMillis()), List.of(), w.stormConnections(),
                    w.searchTrials(), w.replayMessages());
        }

        static Scale smoke() {
            return new Scale(500, 3, 5, 5, 50, new int[] {200}, 1_000, List.of(), 50, 2, 200);
        }
    }

    private static final int PAYLOAD = 64;
    private static final int QOS1_WINDOW = 100;

    private final LoadGenerator load;
    private final InetSocketAddress broker;
    private final Scale scale;

    Scenarios(LoadGenerator load, InetSocketAddress broker, Scale scale) {
        this.load = load;
        this.broker = broker;
        this.scale = scale;
    }

    Result fanIn(int qos) throws Exception {
        return throughput("fanin", scale.fanInPublishers(), 1, qos, true, LoadClient.Login.ANONYMOUS_311);
    }

    /** A persistent session (MQTT 3.1.1, clean session false). */
    private static final LoadClient.Login PERSISTENT = new LoadClient.Login(MqttVersion.MQTT_3_1_1, false, null, null);

    /** Fan-in QoS 1 into a persistent session (in the store, on a broker with persistence). */
    Result fanInPersistent() throws Exception {
        return throughput("durable", scale.fanInPublishers(), 1, 1, true, PERSISTENT);
    }

    /**
     * {@code replayMessages} QoS 1 messages queued for an offline persistent session (one
     * publisher, {@value #QOS1_WINDOW} in flight, every one acknowledged before the session comes
     * back), then replayed when it reconnects: the rate is messages received per second from
     * the reconnect's CONNECT to the last one.
     */
    Result replay() throws Exception {
        String id = "replay-" + System.nanoTime();
        String topic = id + "/t";
        LoadClient first = load.connect(broker, id, PERSISTENT, null);
        first.subscribe(topic, 1).get(30, TimeUnit.SECONDS);
        LoadGenerator.closeAll(List.of(first));
        LoadClient pub = load.connect(broker, id + "-pub", 1).get(0);
        long total = scale.replayMessages();
        long queueStart = System.nanoTime();
        try {
            ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(PAYLOAD).writeZero(PAYLOAD));
            long[] sent = {0};
            CompletableFuture<Void> acknowledged = new CompletableFuture<>();
            Runnable pump = () -> {
                int n = 0;
                while (sent[0] < total && pub.channel().isWritable() && pub.inflight.get() < QOS1_WINDOW && n < 256) {
                    pub.publish(topic, payload.retainedDuplicate(), 1);
                    sent[0]++;
                    n++;
                }
                if (n > 0) {
                    pub.flush();
                }
                if (sent[0] >= total && pub.inflight.get() == 0) {
                    acknowledged.complete(null);
                }
            };
            pub.onAcknowledged(pump);
            pub.channel().eventLoop().execute(pump);
            acknowledged.get(300, TimeUnit.SECONDS);
        } finally {
            LoadGenerator.closeAll(List.of(pub));
        }
        double queueSeconds = (System.nanoTime() - queueStart) / 1e9;
        AtomicLong received = new AtomicLong();
        AtomicLong last = new AtomicLong();
        long start = System.nanoTime();
        LoadClient back = load.connect(broker, id, PERSISTENT, (p, now) -> {
            received.incrementAndGet();
            last.set(now);
        });
        try {
            awaitQuiet(received::get, total, 300, 5_000);
        } finally {
            LoadGenerator.closeAll(List.of(back));
        }
        long got = received.get();
        double seconds = Math.max(1, last.get() - start) / 1e9;
        return new Result(got / seconds, "msg/s", true, Math.max(0, total - got), String.format(Locale.ROOT,
                "%d queued (all acknowledged) in %.1f s, %d of them replayed in %.2f s after the reconnect", total,
                queueSeconds, got, seconds)).withDelivered(got);
    }

    Result fanOut() throws Exception {
        return throughput("fanout", 1, scale.fanOutSubscribers(), 0, false, LoadClient.Login.ANONYMOUS_311);
    }

    Result pairs() throws Exception {
        return throughput("pairs", scale.pairs(), scale.pairs(), 0, false, LoadClient.Login.ANONYMOUS_311);
    }

    /**
     * The highest delivered rate held with no loss and p99 under 10 ms ({@link RateSearch}), for
     * the flood scenarios' shapes and client counts; each trial is 3/5 of a flood's send period.
     */
    Result held(RateSearch.Shape shape, int qos) throws Exception {
        RateSearch search = new RateSearch(load, broker, scale.sendMillis() * 3 / 5, scale.searchTrials());
        return switch (shape) {
            case FAN_IN -> search.search(shape, scale.fanInPublishers(), 1, qos, scale.fanInPublishers() * 1_000.0);
            case FAN_OUT -> search.search(shape, 1, scale.fanOutSubscribers(), qos, scale.fanOutSubscribers() * 500.0);
            case PAIRS -> search.search(shape, scale.pairs(), scale.pairs(), qos, scale.pairs() * 200.0);
        };
    }

    /** How many subscribers stop reading in {@link #pairsBesideStalled()}. */
    static final int STALLED = 10;

    /**
     * The pairs again, while {@value #STALLED} other subscribers have stopped reading their
     * sockets and a publisher each keeps sending QoS 1 to them (as fast as PUBACKs come): what a
     * stalled consumer costs everybody else.
     */
    Result pairsBesideStalled() throws Exception {
        String run = "stalled-" + System.nanoTime();
        List<LoadClient> stalled = load.connect(broker, run + "-sub", STALLED);
        List<LoadClient> feeders = load.connect(broker, run + "-pub", STALLED);
        List<CompletableFuture<Void>> subscribed = new ArrayList<>();
        for (int i = 0; i < STALLED; i++) {
            subscribed.add(stalled.get(i).subscribe(run + "/" + i, 1));
        }
        CompletableFuture.allOf(subscribed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (LoadClient c : stalled) {
            c.channel().config().setAutoRead(false); // it stops reading: the broker's writes pile up
        }
        ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(PAYLOAD).writeZero(PAYLOAD));
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int i = 0; i < STALLED; i++) {
            LoadClient p = feeders.get(i);
            String topic = run + "/" + i;
            Runnable pump = () -> {
                int n = 0;
                while (running.get() && p.channel().isWritable() && n < 256 && p.inflight.get() < QOS1_WINDOW) {
                    p.publish(topic, payload.retainedDuplicate(), 1);
                    n++;
                }
                if (n > 0) {
                    p.flush();
                }
            };
            p.onAcknowledged(pump);
            p.channel().eventLoop().execute(pump);
        }
        try {
            Result pairs = throughput("pairs-beside-stalled", scale.pairs(), scale.pairs(), 0, false,
                    LoadClient.Login.ANONYMOUS_311);
            return pairs;
        } finally {
            running.set(false);
            LoadGenerator.closeAll(feeders);
            LoadGenerator.closeAll(stalled);
        }
    }

    /**
     * Publishers send as fast as the connection takes (QoS 0) or with {@value #QOS1_WINDOW}
     * unacknowledged (QoS 1) for the send period, then the run waits for the rest to arrive.
     *
     * @param sharedSubscriber one subscriber to every publisher's topic (fan-in)
     */
    private Result throughput(String name, int publishers, int subscribers, int qos, boolean sharedSubscriber,
            LoadClient.Login subscriberLogin) throws Exception {
        String run = name + "-" + System.nanoTime();
        List<LoadClient> subs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            subs.add(load.connect(broker, run + "-sub-" + i, subscriberLogin, null));
        }
        List<LoadClient> pubs = load.connect(broker, run + "-pub", publishers);
        AtomicLong received = new AtomicLong();
        AtomicLong lastReceive = new AtomicLong();
        List<CompletableFuture<Void>> subscribed = new ArrayList<>();
        for (int i = 0; i < subs.size(); i++) {
            LoadClient s = subs.get(i);
            s.onReceive((payload, now) -> {
                received.incrementAndGet();
                lastReceive.set(now);
            });
            String filter = sharedSubscriber ? run + "/#" : subscribers == publishers ? run + "/" + i : run + "/t";
            subscribed.add(s.subscribe(filter, qos));
        }
        CompletableFuture.allOf(subscribed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(PAYLOAD).writeZero(PAYLOAD));
        AtomicLong sent = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        long start = System.nanoTime();
        for (int i = 0; i < pubs.size(); i++) {
            LoadClient p = pubs.get(i);
            String topic = sharedSubscriber ? run + "/" + i : publishers == subscribers ? run + "/" + i : run + "/t";
            Runnable pump = new Runnable() {
                @Override
                public void run() {
                    int n = 0;
                    while (running.get() && p.channel().isWritable() && n < 256
                            && (qos == 0 || p.inflight.get() < QOS1_WINDOW)) {
                        p.publish(topic, payload.retainedDuplicate(), qos);
                        n++;
                    }
                    if (n > 0) {
                        sent.addAndGet(n);
                        p.flush();
                    }
                    // QoS 0 keeps going by itself; QoS 1 goes on when PUBACKs make room
                    if (running.get() && qos == 0 && p.channel().isWritable()) {
                        p.channel().eventLoop().execute(this);
                    }
                }
            };
            p.onAcknowledged(pump);
            p.channel().eventLoop().execute(pump);
        }
        TimeUnit.MILLISECONDS.sleep(scale.sendMillis()); // the run's length, not a wait for a condition
        stopPublishers(pubs, running);
        long expected = sent.get() * (sharedSubscriber ? 1 : publishers == subscribers ? 1 : subscribers);
        awaitQuiet(received::get, expected);
        long got = received.get();
        double seconds = Math.max(1, lastReceive.get() - start) / 1e9;
        LoadGenerator.closeAll(pubs);
        LoadGenerator.closeAll(subs);
        return new Result(got / seconds, "msg/s", true, Math.max(0, expected - got),
                String.format(Locale.ROOT, "sent %d, expected %d, received %d", sent.get(), expected, got))
                .withDelivered(got);
    }

    /** Stops the senders and waits until each publisher's loop has seen it. */
    private static void stopPublishers(List<LoadClient> pubs, java.util.concurrent.atomic.AtomicBoolean running)
            throws Exception {
        running.set(false);
        CompletableFuture<?>[] stopped = new CompletableFuture<?>[pubs.size()];
        for (int i = 0; i < pubs.size(); i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            stopped[i] = f;
            pubs.get(i).channel().eventLoop().execute(() -> f.complete(null));
        }
        CompletableFuture.allOf(stopped).get(10, TimeUnit.SECONDS);
    }

    /** Waits until {@code expected} arrived, or nothing arrived for 2 s (at most 30 s). */
    private static void awaitQuiet(LongSupplier received, long expected) throws InterruptedException {
        awaitQuiet(received, expected, 30, 2_000);
    }

    /** Waits until {@code expected} arrived, or nothing arrived for {@code quietMillis} (at most {@code maxSeconds}). */
    static void awaitQuiet(LongSupplier received, long expected, long maxSeconds, long quietMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = received.getAsLong();
            if (now >= expected) {
                return;
            }
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    /**
     * One publisher at a fixed rate (open loop: a message is due at its time whatever happened
     * before), QoS 1, one subscriber. Latency is measured from when each message was due, so a
     * broker that stalls the sender is charged for the wait (coordinated omission corrected).
     */
    Result latency(int rate) throws Exception {
        return latency(rate, 1);
    }

    /** {@link #latency(int)} at {@code qos} (0, 1 or 2: subscription and PUBLISH alike). */
    Result latency(int rate, int qos) throws Exception {
        String run = "latency-" + System.nanoTime();
        LoadClient sub = load.connect(broker, run + "-sub", 1).get(0);
        LoadClient pub = load.connect(broker, run + "-pub", 1).get(0);
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong received = new AtomicLong();
        SlowMessages slow = SlowMessages.fromSystemProperty();
        sub.onReceive((payload, now) -> {
            long due = payload.getLong(payload.readerIndex());
            histogram.recordValue(Math.max(0, (now - due) / 1000));
            if (slow != null) {
                slow.record(rate, now - due);
            }
            received.incrementAndGet();
        });
        sub.subscribe(run, qos).get(30, TimeUnit.SECONDS);
        long total = rate * scale.latencyMillis() / 1000;
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long[] next = {0};
        long[] maxBehind = {0};
        CompletableFuture<Void> done = new CompletableFuture<>();
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        task[0] = pub.channel().eventLoop().scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            int n = 0;
            while (next[0] < total && start + next[0] * periodNanos <= now) {
                if (pub.inflight.get() >= 60_000) {
                    break; // packet ids run out: the broker is far behind
                }
                long due = start + next[0] * periodNanos;
                ByteBuf payload = pub.channel().alloc().buffer(PAYLOAD);
                payload.writeLong(due).writeZero(PAYLOAD - 8);
                pub.publish(run, payload, qos);
                next[0]++;
                n++;
            }
            if (n > 0) {
                pub.flush();
            }
            long behind = (now - start) / periodNanos - next[0];
            maxBehind[0] = Math.max(maxBehind[0], behind);
            if (next[0] >= total) {
                done.complete(null);
            }
        }, 0, 200, TimeUnit.MICROSECONDS);
        try {
            done.get(scale.latencyMillis() * 3 + 30_000, TimeUnit.MILLISECONDS);
        } finally {
            task[0].cancel(false);
        }
        awaitQuiet(received::get, total);
        long got = received.get();
        LoadGenerator.closeAll(List.of(pub, sub));
        if (slow != null) {
            slow.flush();
        }
        boolean keptUp = got == total && maxBehind[0] <= rate / 10; // never 100 ms of sends overdue
        double p99 = histogram.getValueAtPercentile(99) / 1000.0;
        return new Result(p99, "ms p99", false, total - got, String.format(Locale.ROOT,
                "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms; %d of %d delivered; %s",
                histogram.getValueAtPercentile(50) / 1000.0, p99, histogram.getValueAtPercentile(99.9) / 1000.0,
                histogram.getMaxValue() / 1000.0, got, total, keptUp ? "kept up" : "fell behind")).withDelivered(got);
    }

    /** Connects under way at once in a storm's rate measurement: a fleet reconnecting, not one SYN flood. */
    static final int STORM_WINDOW = 100;

    /**
     * A connection storm: {@code stormConnections} clients connect as {@code login}, with
     * {@code outstanding} connects under way (each CONNACK starts the next; all of them: every
     * TCP connect and CONNECT sent without waiting for any answer); the rate is clients that got
     * their CONNACK per second, from the first connect to the last CONNACK. A client refused,
     * timed out (60 s) or closed counts as lost. The clients then disconnect.
     */
    Result storm(LoadClient.Login login, int outstanding) throws Exception {
        LoadGenerator.Storm storm = load.storm(broker, "storm-" + System.nanoTime(), scale.stormConnections(),
                outstanding, login);
        try {
            return stormResult(storm);
        } finally {
            LoadGenerator.closeAll(storm.clients());
        }
    }

    private static Result stormResult(LoadGenerator.Storm storm) {
        double seconds = storm.nanos() / 1e9;
        Histogram h = storm.connectMicros();
        return new Result(storm.clients().size() / seconds, "conn/s", true, storm.failed(), String.format(Locale.ROOT,
                "%d connected in %.2f s, connect to CONNACK p50 %.1f ms, p99 %.1f ms, max %.1f ms%s",
                storm.clients().size(), seconds, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
                storm.failed() == 0 ? "" : "; " + storm.failed() + " failed, the first: " + storm.firstFailure()))
                .withDelivered(storm.clients().size());
    }

    /**
     * The latency scenario at {@code rate} while a storm of {@code stormConnections} anonymous
     * MQTT 3.1.1 clients connects (it starts 1 s into the run): what a storm costs the clients
     * already connected.
     */
    Result latencyDuringStorm(int rate) throws Exception {
        // the storm's clients get an event loop of their own: the latency run's clients must not
        // wait behind 15,000 connects in the load generator itself
        try (LoadGenerator stormLoad = new LoadGenerator(1)) {
            CompletableFuture<LoadGenerator.Storm> storm = CompletableFuture.supplyAsync(() -> {
                try {
                    TimeUnit.SECONDS.sleep(1); // the latency run is under way by then
                    return stormLoad.storm(broker, "storm-" + System.nanoTime(), scale.stormConnections(),
                            scale.stormConnections(), LoadClient.Login.ANONYMOUS_311);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            Result latency = latency(rate);
            LoadGenerator.Storm s = storm.get(200, TimeUnit.SECONDS);
            try {
                Result during = stormResult(s);
                return new Result(latency.value(), latency.unit(), false, latency.lost() + s.failed(),
                        latency.detail() + "; the storm beside it: " + during.detail());
            } finally {
                LoadGenerator.closeAll(s.clients());
            }
        }
    }
}
