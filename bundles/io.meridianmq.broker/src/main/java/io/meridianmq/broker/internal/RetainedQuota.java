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
 * drift for long. Replacing a topic's message, or clearing it, always fits the count. The broker's
 * own {@code $SYS/} topics (which clients may not publish to) do not count against the limits.
 *
 * <p>Threading: safe for any thread; nothing here blocks (a lookup by exact topic is a map read).
 */
final class RetainedQuota {

    private final RetainedMessageStore store;
    private final AtomicLong bytes = new AtomicLong();
    /** How many of the retained messages are the broker's own ($SYS/), and their payload bytes. */
    private final AtomicLong sysMessages = new AtomicLong();
    private final AtomicLong sysBytes = new AtomicLong();

    /** Whether {@code topic} is in the broker's own namespace, where only the broker publishes. */
    static boolean isSys(String topic) {
        return topic.startsWith("$SYS/") || topic.equals("$SYS");
    }

    RetainedQuota(RetainedMessageStore store) {
        this.store = store;
    }

    /** Counts the payload bytes in the store again (every message: call it off the network threads). */
    void recount() {
        long[] sum = {0};
        store.forEachMatching("#", m -> sum[0] += m.payload().length);
        long[] sys = {0, 0};
        store.forEachMatching("$SYS/#", m -> {
            sys[0]++;
            sys[1] += m.payload().length;
        });
        bytes.set(sum[0]);
        sysMessages.set(sys[0]);
        sysBytes.set(sys[1]);
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
        if (length == 0 || isSys(topic) || (limits.maxRetainedMessages() < 0 && limits.maxRetainedBytes() < 0)) {
            return null;
        }
        int existing = sizeOf(topic);
        if (existing < 0 && limits.maxRetainedMessages() >= 0
                && store.size() - sysMessages.get() >= limits.maxRetainedMessages()) {
            return "retained messages at max_retained_messages (" + limits.maxRetainedMessages() + ")";
        }
        if (limits.maxRetainedBytes() >= 0
                && bytes.get() - sysBytes.get() + length - Math.max(0, existing) > limits.maxRetainedBytes()) {
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
        long delta = (long) message.payload().length - Math.max(0, old);
        bytes.addAndGet(delta);
        if (isSys(message.topic())) {
            sysBytes.addAndGet(delta);
            if (old < 0 && message.payload().length > 0) {
                sysMessages.incrementAndGet();
            } else if (old >= 0 && message.payload().length == 0) {
                sysMessages.decrementAndGet();
            }
        }
    }
}
