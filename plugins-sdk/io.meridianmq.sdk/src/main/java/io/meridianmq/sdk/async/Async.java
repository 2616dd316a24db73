package io.meridianmq.sdk.async;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A callback that went asynchronous. Fill in the output, then call {@link #resume()} once, from
 * any thread. A resume after the timeout is ignored (the fallback was applied).
 *
 * <p>Threading: thread-safe. Nullness: never {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface Async {

    /** The output is complete: the broker continues with it. */
    void resume();
}
