package io.meridianmq.sdk.service;

import java.util.function.LongSupplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Lets a plugin publish its own metrics next to the broker's (console {@code meridian:metrics},
 * and the metrics endpoint when it exists). Get it as an OSGi service: each plugin bundle gets
 * its own, and its metrics disappear with the bundle. Names are prefixed with the bundle's
 * symbolic name.
 *
 * <p>Threading: thread-safe. Nullness: arguments must not be {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface PluginMetrics {

    /** The counter {@code name}, created on first use. */
    Counter counter(String name, String description);

    /** Reports {@code value} (read whenever metrics are shown) as gauge {@code name}. */
    void gauge(String name, String description, LongSupplier value);
}
