package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

import io.meridianmq.broker.PluginCheck;

import org.osgi.service.component.annotations.Component;

/**
 * The health checks plugins report, by name, for {@code /health/ready} (through
 * {@link io.meridianmq.broker.Broker#pluginChecks()}).
 *
 * <p>Thread-safe.
 */
@Component(service = PluginChecks.class)
public class PluginChecks {

    private final ConcurrentSkipListMap<String, PluginCheck> checks = new ConcurrentSkipListMap<>();

    void report(String name, boolean up, String problem) {
        checks.put(name, new PluginCheck(name, up, up ? null : problem));
    }

    void withdraw(String name) {
        checks.remove(name);
    }

    List<PluginCheck> all() {
        return new ArrayList<>(checks.values());
    }
}
