package io.meridianmq.bench;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The idle scenario: what a broker holds in memory for each connection that does nothing. */
final class IdleMemory {

    private final LoadGenerator load;
    private final InetSocketAddress broker;
    private final Scenarios.Scale scale;

    IdleMemory(LoadGenerator load, InetSocketAddress broker, Scenarios.Scale scale) {
        this.load = load;
        this.broker = broker;
        this.scale = scale;
    }

    /**
     * Opens {@code idleConnections} MQTT connections that then stay idle; what the broker holds
     * for them, per connection: the growth of its live heap after a full collection (JVM brokers)
     * plus the growth of its resident memory outside the Java heap.
     */
    Result measure(LongSupplier residentBytes, LongSupplier liveHeapBytes, Supplier<HeapHistogram> histogram)
            throws Exception {
        HeapHistogram classesBefore = histogram.get();
        long heapBefore = liveHeapBytes.getAsLong();
        long before = settledResident(residentBytes);
        List<LoadClient> clients = load.connect(broker, "idle-" + System.nanoTime(), scale.idleConnections(), 500,
                600, scale.sourceAddresses());
        long heapAfter = liveHeapBytes.getAsLong();
        long after = settledResident(residentBytes);
        HeapHistogram classesAfter = histogram.get();
        if (classesBefore != null && classesAfter != null && !clients.isEmpty()) {
            // what each idle connection holds, class by class, for docs/PERFORMANCE.md
            BenchmarkMain.report("%s", classesAfter.growthPerConnection(classesBefore, clients.size(), 100));
        }
        LoadGenerator.closeAll(clients);
        double perConnectionKb = ((after - before) + (heapAfter - heapBefore)) / 1024.0 / clients.size();
        return new Result(perConnectionKb, "KB/conn", false, 0, String.format(Locale.ROOT,
                "%d connections, resident outside the heap %.1f MB -> %.1f MB, live heap %.1f MB -> %.1f MB", clients.size(),
                before / 1048576.0, after / 1048576.0, heapBefore / 1048576.0, heapAfter / 1048576.0));
    }

    /** The resident size once it stopped moving by more than 1% in half a second (at most 10 s). */
    private static long settledResident(LongSupplier residentBytes) throws InterruptedException {
        long last = residentBytes.getAsLong();
        for (int i = 0; i < 20; i++) {
            TimeUnit.MILLISECONDS.sleep(500);
            long now = residentBytes.getAsLong();
            if (Math.abs(now - last) <= last / 100) {
                return now;
            }
            last = now;
        }
        return last;
    }
}
