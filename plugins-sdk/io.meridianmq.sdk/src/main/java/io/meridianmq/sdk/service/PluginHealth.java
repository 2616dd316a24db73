package io.meridianmq.sdk.service;

import org.jspecify.annotations.Nullable;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A plugin's own health checks, shown by the broker's {@code /health/ready} beside its own (a
 * bridge's connection, a database the plugin needs): informational, they never make the broker
 * refuse traffic. Get it as an OSGi service: each plugin bundle gets its own, and its checks go
 * when it does. Check names are prefixed with the bundle's symbolic name.
 *
 * <p>Threading: thread-safe; every method returns at once.
 *
 * @since 1.1
 */
@ProviderType
public interface PluginHealth {

    /** Sets the state of {@code check}: up, or down with {@code problem} saying why (for the operator). */
    void report(String check, boolean up, @Nullable String problem);

    /** Removes {@code check} (the thing it watched is gone). */
    void withdraw(String check);
}
