package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * The plugins registered for one extension point, highest ranking first. Copy-on-write: the
 * publish path reads it without locks; plugins come and go rarely.
 */
final class PluginChain<T> {

    private volatile List<Plugin<T>> plugins = List.of();

    synchronized void add(ServiceReference<?> reference, T service) {
        Bundle bundle = reference.getBundle();
        String name = (bundle == null ? "?" : bundle.getSymbolicName() + " " + bundle.getVersion()) + " ("
                + service.getClass().getName() + ")";
        Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
        List<Plugin<T>> next = new ArrayList<>(plugins);
        // third-party plugins always run on plugin threads, whatever they declare
        boolean inline = InlinePrivilege.granted(bundle, service.getClass().getName(),
                org.osgi.framework.FrameworkUtil.getBundle(service.getClass()));
        next.add(new Plugin<>(service, name, ranking instanceof Integer r ? r : 0, bundle == null ? -1 : bundle.getBundleId(),
                inline));
        next.sort(Comparator.comparingInt((Plugin<T> p) -> p.ranking).reversed());
        plugins = List.copyOf(next);
    }

    /** For tests: a plugin without an OSGi service reference. */
    synchronized void add(T service, String name, int ranking) {
        List<Plugin<T>> next = new ArrayList<>(plugins);
        next.add(new Plugin<>(service, name, ranking, -1));
        next.sort(Comparator.comparingInt((Plugin<T> p) -> p.ranking).reversed());
        plugins = List.copyOf(next);
    }

    synchronized void remove(T service) {
        List<Plugin<T>> next = new ArrayList<>(plugins);
        next.removeIf(p -> p.service == service);
        plugins = List.copyOf(next);
    }

    /** All plugins, highest ranking first. */
    List<Plugin<T>> all() {
        return plugins;
    }

    boolean isEmpty() {
        return plugins.isEmpty();
    }

    /** Each plugin's state, for operators. */
    void describe(String kind, List<io.meridianmq.broker.PluginState> into) {
        for (Plugin<T> p : plugins) {
            into.add(new io.meridianmq.broker.PluginState(kind, p.name, p.bundleId, p.isEnabled()));
        }
    }
}
