package io.meridianmq.broker;

/**
 * A health check a plugin reports (SDK {@code PluginHealth}), as {@link Broker#pluginChecks()}
 * gives it: informational, it never makes the broker unready.
 *
 * <p>Threading: immutable.
 *
 * @param name the bundle's symbolic name and the plugin's check name
 * @param up whether it is up
 * @param problem why it is down, or null
 * @since 0.7
 */
public record PluginCheck(String name, boolean up, String problem) {
}
