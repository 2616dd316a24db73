package io.meridianmq.broker.internal;

import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plugin service as the broker tracks it: its name for log lines (bundle and class), its
 * ranking, and its health. A plugin that fails {@link #DISABLE_AFTER} times in a row (throws, or
 * misses its timeout) is disabled until its bundle is updated or restarted.
 */
final class Plugin<T> {

    private static final Logger LOG = LoggerFactory.getLogger(Plugin.class);
    static final int DISABLE_AFTER = 10;

    final T service;
    final String name;
    final int ranking;
    final long bundleId;
    /**
     * Called on the caller's thread instead of a plugin thread: only for Meridian's own plugins
     * that answer from memory ({@link InlinePrivilege} decides).
     */
    final boolean inline;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** Its call figures, found by name on its first call (any thread; set once, to the same object). */
    volatile PluginFigures.Calls figures;
    private volatile boolean disabled;

    Plugin(T service, String name, int ranking, long bundleId) {
        this(service, name, ranking, bundleId, false);
    }

    Plugin(T service, String name, int ranking, long bundleId, boolean inline) {
        this.inline = inline;
        this.service = service;
        this.name = name;
        this.ranking = ranking;
        this.bundleId = bundleId;
    }

    boolean isEnabled() {
        return !disabled;
    }

    void succeeded() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    void failed(String what) {
        int n = consecutiveFailures.incrementAndGet();
        if (n >= DISABLE_AFTER && !disabled) {
            disabled = true;
            LOG.error("Plugin {} disabled after {} failures in a row (last: {}). Update or restart its bundle to "
                    + "enable it again.", name, n, what);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
