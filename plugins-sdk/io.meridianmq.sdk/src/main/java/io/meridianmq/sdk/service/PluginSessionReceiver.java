package io.meridianmq.sdk.service;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a {@link PluginSession} gives its plugin: the messages matching its subscriptions, in
 * order, and the end of its connection.
 *
 * <p>Threading: called on the session's thread, one call at a time; must not block (hand slow
 * work to another thread and acknowledge from there).
 *
 * @since 1.1
 */
@ConsumerType
public interface PluginSessionReceiver {

    /**
     * A message for the session. At most the session's receive maximum of QoS 1 and 2 messages
     * are given unacknowledged at once; each stays in the session (given again at its next
     * opening) until {@link ReceivedMessage#acknowledge()}.
     */
    void message(ReceivedMessage message);

    /** The broker ended the session's connection (it stops, or the session was taken over). */
    default void closed(String reason) {
    }
}
