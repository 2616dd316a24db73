package io.meridianmq.transport.internal;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.meridianmq.protocol.MqttPipeline;
import io.netty.util.internal.PlatformDependent;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the broker's load once a second and tells the protocol when it is overloaded: heap in
 * use after the last collection, direct memory in use, or the worst event-loop lag past its
 * threshold ({@code etc/io.meridianmq.overload.cfg}) in {@value #ENTER_AFTER_CHECKS} checks in a row. The protocol then refuses new CONNECTs
 * (server busy) and slows publishers; once every figure is back below its recovery level the
 * broker takes clients again by itself. Entry and exit are logged by the protocol; the state is
 * a metric ({@code meridian_overloaded}).
 *
 * <p>Threading: the checks run on this component's one thread ({@code meridian-overload}); the
 * settings are replaced whole by the configuration thread.
 */
@Component(configurationPid = "io.meridianmq.overload", immediate = true)
public class OverloadProtection {

    private static final Logger LOG = LoggerFactory.getLogger(OverloadProtection.class);

    @Reference
    private MqttPipeline pipeline;

    @Reference
    private EventLoops loops;

    /**
     * Thresholds in percent of the maximum (0 turns a check off) and the lag in milliseconds;
     * recovery is at {@code recoverPercent} of each threshold.
     */
    record Thresholds(int heapPercent, int directPercent, long lagMillis, int recoverPercent) {
    }

    private volatile Thresholds thresholds = new Thresholds(90, 90, 5000, 80);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meridian-overload");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> check;
    /** Why the broker is overloaded now, or null (timer thread). */
    private String overloaded;
    /** How many checks in a row found a figure past its threshold before the overload is entered. */
    static final int ENTER_AFTER_CHECKS = 3;
    /** Checks in a row that found one (timer thread). */
    private int checksOver;
    /** How long the heap may keep the broker overloaded without a collection before one is asked for. */
    private static final long IDLE_COLLECTION_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** The end time of the last collection seen, and since when none has run (timer thread). */
    private long seenCollectionEnd = -2;
    private long quietSince = System.nanoTime();

    @Activate
    @Modified
    void configure(Map<String, Object> config) {
        Object file = config.get("felix.fileinstall.filename");
        String source = file != null ? file.toString() : "configuration io.meridianmq.overload";
        Thresholds t = thresholds;
        thresholds = new Thresholds(
                number(config, source, "heap_threshold", 0, 100, t.heapPercent()),
                number(config, source, "direct_memory_threshold", 0, 100, t.directPercent()),
                number(config, source, "event_loop_lag_threshold", 0, 3_600_000, (int) t.lagMillis()),
                number(config, source, "recover_at", 1, 100, t.recoverPercent()));
        if (check == null) {
            check = timer.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdown(); // not shutdownNow: a check must not be interrupted inside the JMX calls
        if (overloaded != null) {
            pipeline.overload(null);
        }
    }

    private void check() {
        try {
            Thresholds t = thresholds;
            String why = overloaded == null ? over(t, 100) : over(t, t.recoverPercent());
            collectIfIdle(why);
            // entered only when it lasts: a burst or one long collection pause is not an overload
            checksOver = why == null ? 0 : checksOver + 1;
            if (overloaded == null && why != null && checksOver < ENTER_AFTER_CHECKS) {
                return;
            }
            if (why == null ? overloaded != null : overloaded == null) {
                overloaded = why;
                pipeline.overload(why);
            }
        } catch (RuntimeException e) {
            LOG.error("The overload check failed; it runs again in a second", e);
        }
    }

    /**
     * While the heap keeps the broker overloaded and no collection has run for
     * {@link #IDLE_COLLECTION_NANOS}, asks for one (at most that often): without allocation the
     * JVM collects nothing, and the figure of the last collection would keep a broker whose
     * clients have gone overloaded, refusing everyone, for good.
     */
    private void collectIfIdle(String why) {
        long lastEnd = lastCollectionEnd();
        long now = System.nanoTime();
        if (lastEnd != seenCollectionEnd) {
            seenCollectionEnd = lastEnd;
            quietSince = now;
            return;
        }
        if (why != null && why.startsWith("heap") && now - quietSince > IDLE_COLLECTION_NANOS) {
            LOG.info("Overloaded by heap and no garbage collection for {} s: asking for one, to learn what is free",
                    TimeUnit.NANOSECONDS.toSeconds(IDLE_COLLECTION_NANOS));
            quietSince = now;
            System.gc();
        }
    }

    private static long lastCollectionEnd() {
        long end = -1;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean sun && sun.getLastGcInfo() != null) {
                end = Math.max(end, sun.getLastGcInfo().getEndTime());
            }
        }
        return end;
    }

    /**
     * What is past {@code percentOfThreshold} percent of its threshold (100 to enter the overload,
     * the recovery level to stay in it), or null when nothing is.
     */
    String over(Thresholds t, int percentOfThreshold) {
        double factor = percentOfThreshold / 100.0;
        if (t.heapPercent() > 0) {
            double used = heapUsedAfterCollection();
            if (used * 100 > t.heapPercent() * factor) {
                return String.format("heap %.0f%% in use after collection (heap_threshold %d%%)", used * 100,
                        t.heapPercent());
            }
        }
        if (t.directPercent() > 0) {
            double used = directMemoryUsed();
            if (used * 100 > t.directPercent() * factor) {
                return String.format("direct memory %.0f%% in use (direct_memory_threshold %d%%)", used * 100,
                        t.directPercent());
            }
        }
        if (t.lagMillis() > 0) {
            long lag = loops.lagNanos().values().stream().mapToLong(Long::longValue).max().orElse(0) / 1_000_000;
            if (lag > t.lagMillis() * factor) {
                return "event-loop lag " + lag + " ms (event_loop_lag_threshold " + t.lagMillis() + " ms)";
            }
        }
        return null;
    }

    /**
     * The share of the maximum heap that was in use right after the last collection (the live
     * data, about), or in use now if that is less: an idle broker whose garbage was not collected
     * yet is not kept overloaded by its last collection's figure when there is less in use now.
     */
    static double heapUsedAfterCollection() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = memory.getHeapMemoryUsage();
        long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        long afterLast = -1;
        long lastEnd = -1;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean sun && sun.getLastGcInfo() != null
                    && sun.getLastGcInfo().getEndTime() > lastEnd) {
                lastEnd = sun.getLastGcInfo().getEndTime();
                afterLast = sun.getLastGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
            }
        }
        long used = afterLast < 0 ? heap.getUsed() : Math.min(afterLast, heap.getUsed());
        return (double) used / max;
    }

    /** The share of the JVM's direct memory limit in use by Netty's and the JDK's direct buffers. */
    static double directMemoryUsed() {
        long used = Math.max(0, PlatformDependent.usedDirectMemory());
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used = Math.max(used, pool.getMemoryUsed());
            }
        }
        long max = PlatformDependent.maxDirectMemory();
        return max > 0 ? (double) used / max : 0;
    }

    private static int number(Map<String, Object> config, String source, String key, int min, int max, int previous) {
        Object raw = config.get(key);
        if (raw == null || raw.toString().isBlank()) {
            return previous;
        }
        try {
            int v = Integer.parseInt(raw.toString().trim());
            if (v >= min && v <= max) {
                return v;
            }
            LOG.error("{}: {} = {} is out of range [{}..{}]; keeping {}", source, key, raw, min, max, previous);
        } catch (NumberFormatException e) {
            LOG.error("{}: {} = '{}' is not a whole number; keeping {}", source, key, raw, previous);
        }
        return previous;
    }
}
