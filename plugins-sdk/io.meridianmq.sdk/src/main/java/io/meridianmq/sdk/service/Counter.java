package io.meridianmq.sdk.service;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A monotonically increasing count a plugin reports, e.g. messages it transformed.
 *
 * <p>Threading: thread-safe and lock-free.
 *
 * @since 1.0
 */
@ProviderType
public interface Counter {

    void increment();

    void add(long amount);

    long value();
}
