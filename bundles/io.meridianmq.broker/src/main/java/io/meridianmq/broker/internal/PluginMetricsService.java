package io.meridianmq.broker.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.meridianmq.sdk.service.Counter;
import io.meridianmq.sdk.service.PluginMetrics;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * {@link PluginMetrics} for one plugin bundle (a bundle-scoped service): metric names get the
 * bundle's symbolic name as prefix, and everything the plugin registered goes when it does.
 */
@Component(service = PluginMetrics.class, scope = ServiceScope.BUNDLE)
public class PluginMetricsService implements PluginMetrics {

    @Reference
    MetricsRegistry registry;

    private String prefix;
    private final Set<String> mine = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    @Activate
    void activate(ComponentContext context) {
        Bundle user = context.getUsingBundle();
        prefix = (user == null ? "plugin" : user.getSymbolicName()) + ".";
    }

    @Deactivate
    void deactivate() {
        mine.forEach(registry::remove);
    }

    @Override
    public Counter counter(String name, String description) {
        return counters.computeIfAbsent(name, n -> {
            mine.add(prefix + n);
            return registry.counter(prefix + n);
        });
    }

    @Override
    public void gauge(String name, String description, LongSupplier value) {
        mine.add(prefix + name);
        registry.gauge(prefix + name, value);
    }
}
