package io.meridianmq.broker.internal;

/**
 * Whether a connected subscriber is making progress: it is stalled while its socket takes no
 * more writes or messages wait for its full in-flight window, and it makes progress each time
 * it acknowledges a message or its socket drains. A subscriber stalled for longer than
 * {@code slow_consumer_timeout} is a slow consumer, and its session ends the connection
 * (MQTT 5: DISCONNECT 0x97, quota exceeded: it exceeded what the broker holds for a client that
 * does not read). Its session, and what is queued in it within the queue limits, stays for a
 * persistent client to resume.
 *
 * <p>Threading: the fields are volatile; writability is reported from the connection's event
 * loop, the rest from the session's mailbox, which runs there too while the client is connected.
 */
final class ConsumerProgress {

    /** When the subscriber stalled (System.nanoTime), 0 while it is not stalled. */
    private volatile long stalledSinceNanos;
    /** Whether this connection was ended as a slow consumer already. */
    private volatile boolean ended;

    /** An acknowledgement from the client, or its socket drained: not stalled (any longer). */
    void progressed() {
        stalledSinceNanos = 0;
    }

    void writabilityChanged(boolean nowWritable) {
        if (nowWritable) {
            progressed();
        } else {
            waiting();
        }
    }

    /** A message has to wait for the client (its window is full, or its socket is). */
    void waiting() {
        if (stalledSinceNanos == 0) {
            stalledSinceNanos = System.nanoTime();
        }
    }

    /**
     * Whether the subscriber has been stalled for longer than {@code timeoutSeconds} (0: never),
     * the first time only; true means the caller ends the connection.
     */
    boolean timedOut(int timeoutSeconds) {
        long since = stalledSinceNanos;
        if (timeoutSeconds <= 0 || since == 0 || ended) {
            return false;
        }
        if (System.nanoTime() - since > timeoutSeconds * 1_000_000_000L) {
            ended = true;
            return true;
        }
        return false;
    }

    /** How long it has been stalled, in seconds (for the log line). */
    long stalledSeconds() {
        long since = stalledSinceNanos;
        return since == 0 ? 0 : (System.nanoTime() - since) / 1_000_000_000L;
    }

    /** A new connection of the session: it starts unstalled. */
    void reset() {
        stalledSinceNanos = 0;
        ended = false;
    }
}
