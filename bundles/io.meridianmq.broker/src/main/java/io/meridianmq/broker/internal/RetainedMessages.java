package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.meridianmq.sdk.service.RetainedMessageView;
import io.meridianmq.sdk.topic.Topics;
import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.RetainedMessageStore;

/**
 * The retained messages: kept in the {@link RetainedMessageStore} as messages are routed, held to
 * their limits by {@link RetainedQuota}, and read back for new subscriptions (on the retained-scan
 * threads, never a network thread) and for plugins.
 *
 * <p>Thread-safe; the store is. Started and stopped with the core.
 */
final class RetainedMessages {

    private final RetainedMessageStore store;
    private final RetainedQuota quota;
    private final CoreThreads threads;
    private ScheduledFuture<?> recount; // written at start and stop, by the activating thread

    RetainedMessages(RetainedMessageStore store, CoreThreads threads) {
        this.store = store;
        this.threads = threads;
        this.quota = new RetainedQuota(store);
    }

    void start(MetricsRegistry metrics) {
        threads.scanRetained(quota::recount);
        recount = threads.every(() -> threads.scanRetained(quota::recount), 60, TimeUnit.SECONDS);
        if (metrics != null) {
            metrics.gauge("broker.retained.messages", store::size);
            metrics.gauge("broker.retained.bytes", quota::bytes);
        }
    }

    void stop(MetricsRegistry metrics) {
        if (recount != null) {
            recount.cancel(false);
        }
        if (metrics != null) {
            metrics.remove("broker.retained.messages");
            metrics.remove("broker.retained.bytes");
        }
    }

    /** A routed retained message replaces (or, empty, clears) its topic's retained message. */
    void retain(Message message) {
        quota.store(new RetainedMessage(message.topic(), message.payload(), message.qos(),
                PropertiesInStore.toStore(message.properties()),
                message.expiresAtMillis() == Long.MAX_VALUE ? 0 : message.expiresAtMillis()));
    }

    /** Clears {@code topic}'s retained message (another node of the cluster cleared it). */
    void clear(String topic) {
        quota.store(new RetainedMessage(topic, new byte[0], 0, io.meridianmq.storage.StoredProperties.NONE, 0));
    }

    /** Why a retained PUBLISH to {@code topic} is over the retained limits, or null when it fits. */
    String refusal(String topic, int payloadLength, BrokerSettings.StateLimits limits) {
        return quota.refusal(topic, payloadLength, limits);
    }

    long size() {
        return store.size();
    }

    /** Payload bytes of the retained messages (as last counted, kept up to date as they change). */
    long bytes() {
        return quota.bytes();
    }

    /**
     * Reads the retained messages matching {@code filter} on a retained-scan thread and gives each
     * to {@code found} as a delivery at most at {@code maxQos} (there, on that thread); false when
     * the scan threads are saturated and nothing is read.
     */
    boolean scan(String filter, int maxQos, int[] subscriptionIds, Consumer<List<Delivery>> found) {
        return threads.scanRetained(() -> {
            List<Delivery> deliveries = new ArrayList<>();
            store.forEachMatching(filter, m -> deliveries.add(new Delivery(new Message(m.topic(),
                    m.payload(), m.qos(), true, PropertiesInStore.fromStore(m.properties()),
                    m.expiresAtMillis() == 0 ? Long.MAX_VALUE : m.expiresAtMillis(), null),
                    Math.min(maxQos, m.qos()), true, subscriptionIds, null)));
            if (!deliveries.isEmpty()) {
                found.accept(deliveries);
            }
        });
    }

    /** Up to {@code limit} retained messages matching {@code topicFilter}, copied (for plugins). */
    List<RetainedMessageView> matching(String topicFilter, int limit) {
        if (!Topics.isValidTopicFilter(topicFilter)) {
            throw new IllegalArgumentException("not a valid topic filter: '" + topicFilter + "'");
        }
        List<RetainedMessageView> found = new ArrayList<>();
        store.forEachMatching(topicFilter, m -> {
            if (found.size() < limit) {
                found.add(new RetainedMessageView(m.topic(), m.payload().clone(), m.qos(),
                        PropertiesInStore.fromStore(m.properties())));
            }
        });
        return found;
    }
}
