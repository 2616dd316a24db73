package io.meridianmq.storage.memory.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.meridianmq.sdk.topic.Topics;
import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.RetainedMessageStore;

/**
 * Retained messages in a concurrent map. An exact filter is one lookup; a wildcard filter scans
 * all retained messages, which is fine for thousands and is what the durable store improves on.
 */
public class InMemoryRetainedMessageStore implements RetainedMessageStore {

    private final ConcurrentHashMap<String, RetainedMessage> byTopic = new ConcurrentHashMap<>();

    @Override
    public void put(RetainedMessage message) {
        byTopic.put(message.topic(), message);
    }

    @Override
    public void remove(String topic) {
        byTopic.remove(topic);
    }

    @Override
    public void forEachMatching(String topicFilter, Consumer<RetainedMessage> consumer) {
        long now = System.currentTimeMillis();
        if (!Topics.hasWildcard(topicFilter)) {
            RetainedMessage message = byTopic.get(topicFilter);
            if (message != null) {
                deliverOrExpire(message, now, consumer);
            }
            return;
        }
        for (RetainedMessage message : byTopic.values()) {
            if (Topics.matches(topicFilter, message.topic())) {
                deliverOrExpire(message, now, consumer);
            }
        }
    }

    /** An expired retained message is removed when it is next looked at. */
    private void deliverOrExpire(RetainedMessage message, long now, Consumer<RetainedMessage> consumer) {
        if (message.isExpired(now)) {
            byTopic.remove(message.topic(), message);
        } else {
            consumer.accept(message);
        }
    }

    @Override
    public long size() {
        return byTopic.size();
    }
}
