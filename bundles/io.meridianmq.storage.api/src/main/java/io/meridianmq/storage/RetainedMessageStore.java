package io.meridianmq.storage;

import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps the retained message of each topic.
 *
 * <p>Threading: all methods may be called concurrently from any thread; implementations must not
 * block for long (they are called on network threads).
 */
@ProviderType
public interface RetainedMessageStore {

    /** Stores {@code message} as the retained message of its topic, replacing any earlier one. */
    void put(RetainedMessage message);

    /** Removes the retained message of {@code topic}, if any. */
    void remove(String topic);

    /**
     * Passes every retained message whose topic matches the valid {@code topicFilter} to
     * {@code consumer}, following the MQTT matching rules (MQTT 5 §4.7).
     */
    void forEachMatching(String topicFilter, Consumer<RetainedMessage> consumer);

    /** The number of retained messages. */
    long size();
}
