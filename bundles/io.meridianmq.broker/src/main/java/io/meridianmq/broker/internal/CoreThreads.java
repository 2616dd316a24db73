package io.meridianmq.broker.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads the broker core owns: the offline-session threads (a session without a connection
 * runs its mailbox on one, chosen by client id), one timer thread (expiry, delayed wills, plugin
 * timeouts, login damping) and the retained-scan threads (a SUBSCRIBE to {@code #} may read the
 * whole retained store, never on a network thread). Plugin threads belong to {@link PluginInvoker},
 * network threads to the transport.
 *
 * <p>Started once and stopped once, by the core's activation; used from any thread between. Not
 * final only so that tests can run offline sessions inline.
 */
class CoreThreads {

    private static final Logger LOG = LoggerFactory.getLogger(CoreThreads.class);
    /** Scans of the retained store that may wait; past that a subscription gets no retained messages. */
    static final int RETAINED_SCANS_WAITING = 10_000;

    private final ExecutorService[] offline;
    private final ScheduledExecutorService timers;
    private final ExecutorService retainedScans;

    CoreThreads() {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ThreadFactory offlineThreads = named("meridian-offline-sessions-");
        offline = new ExecutorService[threads];
        for (int i = 0; i < threads; i++) {
            offline[i] = Executors.newSingleThreadExecutor(offlineThreads);
        }
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, named("meridian-timers"));
        // a cancelled timer (every plugin call's timeout, once the call returned) leaves the queue
        // at once instead of holding its task until it would have run: 2 per connected client before
        t.setRemoveOnCancelPolicy(true);
        timers = t;
        retainedScans = new ThreadPoolExecutor(1, 2, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(RETAINED_SCANS_WAITING), named("meridian-retained-"));
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        boolean numbered = prefix.endsWith("-");
        return r -> {
            Thread t = new Thread(r, numbered ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }

    /** The timer thread, for {@link PluginInvoker}'s timeouts. */
    ScheduledExecutorService timers() {
        return timers;
    }

    /** The offline thread of {@code clientId}'s session: always the same one for one client id. */
    Executor offlineExecutor(String clientId) {
        return offline[Math.floorMod(clientId.hashCode(), offline.length)];
    }

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return timers.schedule(task, delay, unit);
    }

    ScheduledFuture<?> every(Runnable task, long period, TimeUnit unit) {
        return timers.scheduleWithFixedDelay(task, period, period, unit);
    }

    /** Completes after {@code millis} (at once for 0), by the timer, never by blocking a thread. */
    CompletionStage<Void> after(long millis) {
        if (millis <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> later = new CompletableFuture<>();
        try {
            timers.schedule(() -> later.complete(null), millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            later.complete(null);
        }
        return later;
    }

    /**
     * Runs a scan of the retained store off the network threads; when the scan threads are
     * saturated (a flood of wildcard subscriptions) the scan is skipped, logged, and returns false.
     */
    boolean scanRetained(Runnable scan) {
        try {
            retainedScans.execute(scan);
            return true;
        } catch (RejectedExecutionException e) {
            LOG.warn("Retained messages not sent for a subscription: {} scans of the retained store are waiting",
                    RETAINED_SCANS_WAITING);
            return false;
        }
    }

    /** Stops the timers and scans at once; offline sessions finish what they are doing (2 s at most). */
    void stop() {
        retainedScans.shutdownNow();
        timers.shutdownNow();
        for (ExecutorService e : offline) {
            e.shutdown();
        }
        for (ExecutorService e : offline) {
            try {
                e.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
