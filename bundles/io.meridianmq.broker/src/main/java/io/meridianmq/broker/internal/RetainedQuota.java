package io.meridianmq.broker.internal;

import java.util.concurrent.atomic.AtomicLong;

import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.RetainedMessageStore;

/**
 * Keeps the retained messages within {@code max_retained_messages} and {@code max_retained_bytes}:
 * says whether a retained PUBLISH fits, and tracks the payload bytes retained as messages are
 * stored, replaced and removed. The byte count is kept up to date incrementally and recounted
 * from the store now and then (at start, then periodically, off the network threads), so that
 * messages that expired in the store, or races between publishers to one topic, cannot make it
 * drift for long. Replacing a topic's message, or clearing it, always fits the count.
 *
 * <p>Threading: safe for any thread; nothing here blocks (a lookup by exact topic is a map read).
 */
final class RetainedQuota {

    private final RetainedMessageStore store;
    private final AtomicLong bytes = new AtomicLong();

    RetainedQuota(RetainedMessageStore store) {
        this.store = store;
    }

    /** Counts the payload bytes in the store again (every message: call it off the network threads). */
    void recount() {
        long[] sum = {0};
        store.forEachMatching("#", m -> sum[0] += m.payload().length);
        bytes.set(sum[0]);
    }

    long bytes() {
        return bytes.get();
    }

    /** The payload size of {@code topic}'s retained message, or -1 when it has none. */
    private int sizeOf(String topic) {
        int[] size = {-1};
        store.forEachMatching(topic, m -> size[0] = m.payload().length); // a topic name: an exact lookup
        return size[0];
    }

    /** Why a retained PUBLISH of {@code length} bytes to {@code topic} does not fit, or null. */
    String refusal(String topic, int length, BrokerSettings.StateLimits limits) {
        if (length == 0 || (limits.maxRetainedMessages() < 0 && limits.maxRetainedBytes() < 0)) {
            return null;
        }
        int existing = sizeOf(topic);
        if (existing < 0 && limits.maxRetainedMessages() >= 0 && store.size() >= limits.maxRetainedMessages()) {
            return "retained messages at max_retained_messages (" + limits.maxRetainedMessages() + ")";
        }
        if (limits.maxRetainedBytes() >= 0
                && bytes.get() + length - Math.max(0, existing) > limits.maxRetainedBytes()) {
            return "retained payloads would pass max_retained_bytes (" + limits.maxRetainedBytes() + ")";
        }
        return null;
    }

    /** Stores (or, for an empty payload, clears) a retained message, keeping the byte count. */
    void store(RetainedMessage message) {
        int old = sizeOf(message.topic());
        if (message.payload().length == 0) {
            store.remove(message.topic());
        } else {
            store.put(message);
        }
        bytes.addAndGet((long) message.payload().length - Math.max(0, old));
    }
}
