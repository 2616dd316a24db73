package io.meridianmq.sdk.async;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The part every output object shares: the ability to finish later.
 *
 * <p>Threading: call {@link #async} from within the callback, before it returns; set the output
 * from any thread afterwards, then {@link Async#resume()}. Output setters called after the
 * callback returned without going asynchronous are ignored.
 *
 * @since 1.0
 */
@ProviderType
public interface AsyncOutput {

    /**
     * The decision comes later: the broker waits for {@link Async#resume()} at most
     * {@code timeout}, then applies {@code fallback} and logs the plugin's name.
     */
    Async async(Duration timeout, TimeoutFallback fallback);
}
