package io.meridianmq.broker.internal;

import java.util.function.Function;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * Follows the plugin services of one extension point in the framework (an OSGi
 * {@link ServiceTracker}) and keeps its {@link PluginChain} in step: a plugin joins the chain
 * when its service is registered and leaves it when the service goes, with a log line each.
 *
 * <p>Threading: the framework's threads call it (services come and go at any time; the chains
 * are copy-on-write).
 */
final class PluginTracker<T> implements ServiceTrackerCustomizer<T, T> {

    private final BundleContext context;
    private final PluginHost host;
    private final PluginChain<T> chain;
    /** What the log lines call a plugin of this point ("Authorization plugin", ...). */
    private final Function<T, String> kind;
    /** Told after every change (the core re-checks what depends on the chain). */
    private final Runnable changed;
    private final ServiceTracker<T, T> tracker;

    PluginTracker(BundleContext context, Class<T> type, PluginHost host, PluginChain<T> chain,
            Function<T, String> kind, Runnable changed) {
        this.context = context;
        this.host = host;
        this.chain = chain;
        this.kind = kind;
        this.changed = changed;
        this.tracker = new ServiceTracker<>(context, type, this);
    }

    /** Adds the services registered now (before it returns) and follows the ones to come. */
    void open() {
        tracker.open();
    }

    /** Takes every plugin of this point out of its chain. */
    void close() {
        tracker.close();
    }

    @Override
    public T addingService(ServiceReference<T> reference) {
        T plugin = context.getService(reference);
        if (plugin == null) {
            return null; // gone before it could be got
        }
        host.add(chain, kind.apply(plugin), reference, plugin);
        changed.run();
        return plugin;
    }

    @Override
    public void modifiedService(ServiceReference<T> reference, T plugin) {
        // a changed ranking or property does not move a plugin in its chain (as before with DS)
    }

    @Override
    public void removedService(ServiceReference<T> reference, T plugin) {
        host.remove(chain, kind.apply(plugin), plugin);
        context.ungetService(reference);
        changed.run();
    }
}
