package io.meridianmq.transport;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The transport's I/O threads (the MQTT event loops) as operators watch them: how late each one
 * last ran a task scheduled for it. A loop that is busy or blocked shows a growing lag; every
 * connection on it waits that long.
 *
 * <p>Threading: any thread.
 *
 * @since 0.1
 */
@ProviderType
public interface IoThreads {

    /** Each I/O thread's lag at its last probe (twice a second), in nanoseconds, by thread name. */
    Map<String, Long> lagNanos();
}
