package io.meridianmq.storage.mvstore.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.meridianmq.sdk.topic.Topics;
import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.StoredProperties;

import org.h2.mvstore.Cursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retained messages of the durable store: writes go to the writer as batches, and readers see
 * them at once through an overlay of those not yet durable; a lookup scans only the range of
 * topics before the filter's first wildcard.
 *
 * <p>Threading: any thread (MVStore maps are read without locks; the overlay is concurrent).
 */
final class RetainedReads {

    private static final Logger LOG = LoggerFactory.getLogger(RetainedReads.class);
    private static final RetainedMessage REMOVED = new RetainedMessage("-", new byte[0], 0, StoredProperties.NONE, 0);

    /** Retained writes handed to the writer and not yet durable, by topic ({@link #REMOVED} for a removal). */
    private final ConcurrentHashMap<String, RetainedMessage> pendingRetained = new ConcurrentHashMap<>();
    private final Consumer<WriteBatch> writer;

    RetainedReads(Consumer<WriteBatch> writer) {
        this.writer = writer;
    }

    /** Retains {@code message}: readers see it at once, the file once the writer has it. */
    void put(RetainedMessage message) {
        pendingRetained.put(message.topic(), message);
        WriteBatch batch = new WriteBatch(writer);
        batch.add(t -> t.retained.put(message.topic(), RecordCodec.retained(message)));
        batch.afterDurable = () -> pendingRetained.remove(message.topic(), message);
        batch.submit();
    }

    /** Removes the retained message of {@code topic}, for readers at once. */
    void remove(String topic) {
        RetainedMessage marker = new RetainedMessage(topic, REMOVED.payload(), 0, REMOVED.properties(), 0);
        pendingRetained.put(topic, marker);
        WriteBatch batch = new WriteBatch(writer);
        batch.add(t -> t.retained.remove(topic));
        batch.afterDurable = () -> pendingRetained.remove(topic, marker);
        batch.submit();
    }

    /** Passes what {@code topicFilter} matches in the file ({@code t}) and in the pending overlay. */
    void forEachMatching(StoreTables t, String topicFilter, Consumer<RetainedMessage> consumer) {
        long now = System.currentTimeMillis();
        Map<String, RetainedMessage> pending = pendingRetained.isEmpty() ? Map.of() : Map.copyOf(pendingRetained);
        try {
            if (!Topics.hasWildcard(topicFilter)) {
                RetainedMessage m = pending.get(topicFilter);
                if (m == null) {
                    byte[] stored = t.retained.get(topicFilter);
                    m = stored == null ? null : RecordCodec.retained(stored);
                }
                deliver(m, now, consumer);
                return;
            }
            // the topics before the first wildcard level are a common prefix: scan only that range
            String prefix = topicFilter.substring(0, firstWildcardLevel(topicFilter));
            for (Cursor<String, byte[]> c = t.retained.cursor(prefix.isEmpty() ? null : prefix); c.hasNext();) {
                String topic = c.next();
                if (!topic.startsWith(prefix)) {
                    break;
                }
                if (!pending.containsKey(topic) && Topics.matches(topicFilter, topic)) {
                    deliver(RecordCodec.retained(c.getValue()), now, consumer);
                }
            }
        } catch (IllegalStateException closed) {
            // the file is being opened again after a failed write: what is pending is all there is now
            LOG.debug("Retained messages for '{}' read while the store reopens: {}", topicFilter, closed.toString());
        }
        for (RetainedMessage m : pending.values()) {
            if (Topics.hasWildcard(topicFilter) && Topics.matches(topicFilter, m.topic())) {
                deliver(m, now, consumer);
            }
        }
    }

    private static int firstWildcardLevel(String filter) {
        int plus = filter.indexOf('+');
        int hash = filter.indexOf('#');
        int first = plus < 0 ? hash : hash < 0 ? plus : Math.min(plus, hash);
        return first < 0 ? filter.length() : first;
    }

    private void deliver(RetainedMessage m, long now, Consumer<RetainedMessage> consumer) {
        if (m == null || m.payload() == REMOVED.payload()) {
            return;
        }
        if (m.isExpired(now)) {
            remove(m.topic()); // an expired retained message goes when it is next looked at
            return;
        }
        consumer.accept(m);
    }
}
