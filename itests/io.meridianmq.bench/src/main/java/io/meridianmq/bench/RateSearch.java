package io.meridianmq.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The highest rate a broker holds: publishers send at a fixed offered rate (open loop: each
 * message is due at its time, whatever the broker did before), and a trial passes when every
 * message arrived, the 99th percentile from due time to arrival stayed under
 * {@value #P99_LIMIT_MS} ms and no sender fell {@value #BEHIND_LIMIT_MS} ms behind. The rate
 * doubles until a trial fails, then is bisected between the last pass and the first failure
 * until they are within {@value #PRECISION_PERCENT}%. A trial that fails is run once more at the
 * same rate before the search believes it: on a shared machine one stall (another process, a
 * collection in the load generator) fails a trial the broker would hold, and a search that
 * bisects below its first failure would report a fraction of the broker's rate. What this
 * reports is what a user can run, where a flood only says how fast a broker drops what it
 * cannot take.
 */
final class RateSearch {

    /** The traffic's shape: who publishes to whom. */
    enum Shape { FAN_IN, FAN_OUT, PAIRS }

    static final int P99_LIMIT_MS = 10;
    static final int BEHIND_LIMIT_MS = 100;
    static final int PRECISION_PERCENT = 15;
    private static final int PAYLOAD = 64;
    /** QoS 1 PUBLISHes a sender may have unacknowledged before the trial counts as not held. */
    private static final int INFLIGHT_LIMIT = 30_000;

    private final LoadGenerator load;
    private final InetSocketAddress broker;
    private final long trialMillis;
    private final int maxTrials;

    RateSearch(LoadGenerator load, InetSocketAddress broker, long trialMillis, int maxTrials) {
        this.load = load;
        this.broker = broker;
        this.trialMillis = trialMillis;
        this.maxTrials = maxTrials;
    }

    /** One trial's outcome, at a delivered rate; {@code retry} when it repeats a failed one. */
    private record Trial(double rate, boolean held, String why, boolean retry) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s%,.0f %s", retry ? "again " : "", rate,
                    held ? "held" : "not held (" + why + ")");
        }
    }

    /**
     * Searches the highest delivered rate (msg/s arriving at subscribers) held by
     * {@code publishers} and {@code subscribers} in {@code shape} at {@code qos}, starting at
     * {@code startRate}.
     */
    Result search(Shape shape, int publishers, int subscribers, int qos, double startRate) throws Exception {
        String run = "held-" + shape.name().toLowerCase(Locale.ROOT) + "-" + System.nanoTime();
        List<LoadClient> subs = load.connect(broker, run + "-sub", subscribers);
        List<LoadClient> pubs = load.connect(broker, run + "-pub", publishers);
        try {
            AtomicLong received = new AtomicLong();
            AtomicLong arrived = new AtomicLong(); // of any trial
            AtomicLong trialId = new AtomicLong();
            Histogram[] latency = {new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3)};
            List<CompletableFuture<Void>> subscribed = new ArrayList<>();
            for (int i = 0; i < subs.size(); i++) {
                subs.get(i).onReceive((payload, now) -> {
                    arrived.incrementAndGet();
                    if (payload.getLong(payload.readerIndex() + 8) == trialId.get()) { // late ones of an earlier trial do not count
                        latency[0].recordValue(Math.max(0, (now - payload.getLong(payload.readerIndex())) / 1000));
                        received.incrementAndGet();
                    }
                });
                String filter = switch (shape) {
                    case FAN_IN -> run + "/#";
                    case FAN_OUT -> run + "/t";
                    case PAIRS -> run + "/" + i;
                };
                subscribed.add(subs.get(i).subscribe(filter, qos));
            }
            CompletableFuture.allOf(subscribed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            int copies = shape == Shape.FAN_OUT ? subscribers : 1; // deliveries per PUBLISH
            List<Trial> trials = new ArrayList<>();
            double held = 0;
            double notHeld = Double.POSITIVE_INFINITY;
            double rate = startRate;
            String heldDetail = "";
            boolean retrying = false;
            for (int decided = 0; decided < maxTrials; ) { // a repeated failure counts once
                trialId.incrementAndGet();
                received.set(0);
                latency[0] = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
                double publishRate = rate / copies / publishers;
                long[] sent = new long[1];
                String why = trial(shape, pubs, run, qos, publishRate, trialId.get(), sent);
                long expected = sent[0] * copies;
                Scenarios.awaitQuiet(received::get, expected, 15, 1_000);
                Histogram h = latency[0];
                double p99 = h.getValueAtPercentile(99) / 1000.0;
                if (why == null && received.get() < expected) {
                    why = (expected - received.get()) + " of " + expected + " lost";
                } else if (why == null && p99 >= P99_LIMIT_MS) {
                    why = String.format(Locale.ROOT, "p99 %.1f ms", p99);
                }
                trials.add(new Trial(rate, why == null, why, retrying));
                settle(arrived);
                if (why != null && !retrying) {
                    retrying = true; // the same rate once more before the search believes the failure
                    continue;
                }
                retrying = false;
                decided++;
                if (why == null) {
                    held = rate;
                    heldDetail = String.format(Locale.ROOT, "at %,.0f msg/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, "
                            + "max %.1f ms", rate, h.getValueAtPercentile(50) / 1000.0, p99,
                            h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
                } else {
                    notHeld = rate;
                }
                if (notHeld == Double.POSITIVE_INFINITY) {
                    rate *= 2;
                } else if (held == 0) {
                    rate /= 2;
                } else if (notHeld / held <= 1 + PRECISION_PERCENT / 100.0) {
                    break;
                } else {
                    rate = Math.sqrt(held * notHeld);
                }
            }
            // the broker's CPU is that of the whole search: what it cost per message is that over
            // every message delivered in any trial (trials it did not hold included)
            return new Result(held == 0 ? Double.NaN : held, "msg/s held", true, 0,
                    (held == 0 ? "no rate held; " : heldDetail + "; ") + "trials: " + trials
                            + String.format(Locale.ROOT, "; %,d delivered over the search", arrived.get()))
                    .withDelivered(arrived.get());
        } finally {
            LoadGenerator.closeAll(pubs);
            LoadGenerator.closeAll(subs);
        }
    }

    /**
     * Sends at {@code publishRate} per publisher for the trial's length; null when every message
     * went out on time, else why not.
     */
    private String trial(Shape shape, List<LoadClient> pubs, String run, int qos, double publishRate, long id,
            long[] sent) throws Exception {
        long total = Math.max(1, (long) (publishRate * trialMillis / 1000));
        long periodNanos = (long) (1e9 / publishRate);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        AtomicBoolean behind = new AtomicBoolean();
        AtomicLong sentAll = new AtomicLong();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        for (int i = 0; i < pubs.size(); i++) {
            LoadClient p = pubs.get(i);
            String topic = shape == Shape.FAN_OUT ? run + "/t" : run + "/" + i;
            CompletableFuture<Void> finished = new CompletableFuture<>();
            done.add(finished);
            long[] next = {0};
            tasks.add(p.channel().eventLoop().scheduleAtFixedRate(() -> {
                if (finished.isDone()) {
                    return;
                }
                long now = System.nanoTime();
                int n = 0;
                while (next[0] < total && start + next[0] * periodNanos <= now && p.channel().isWritable()
                        && (qos == 0 || p.inflight.get() < INFLIGHT_LIMIT)) {
                    ByteBuf payload = p.channel().alloc().buffer(PAYLOAD);
                    payload.writeLong(start + next[0] * periodNanos).writeLong(id).writeZero(PAYLOAD - 16);
                    p.publish(topic, payload, qos);
                    next[0]++;
                    n++;
                }
                if (n > 0) {
                    p.flush();
                    sentAll.addAndGet(n);
                }
                if (next[0] < total && now - (start + next[0] * periodNanos) > TimeUnit.MILLISECONDS.toNanos(BEHIND_LIMIT_MS)) {
                    behind.set(true); // the broker holds the sender back (socket full, or PUBACKs overdue)
                    finished.complete(null);
                } else if (next[0] >= total) {
                    finished.complete(null);
                }
            }, 0, 1, TimeUnit.MILLISECONDS));
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(trialMillis + 30_000, TimeUnit.MILLISECONDS);
        } finally {
            tasks.forEach(t -> t.cancel(false));
        }
        sent[0] = sentAll.get();
        return behind.get() ? "senders fell " + BEHIND_LIMIT_MS + " ms behind" : null;
    }

    /** Waits until what an earlier trial left queued has arrived (nothing for 0.5 s; at most 30 s): the next one starts clean. */
    private static void settle(AtomicLong arrived) throws InterruptedException {
        Scenarios.awaitQuiet(arrived::get, Long.MAX_VALUE, 30, 500);
    }
}
