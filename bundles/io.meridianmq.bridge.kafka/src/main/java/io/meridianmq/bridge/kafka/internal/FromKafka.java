package io.meridianmq.bridge.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.message.UserProperty;
import io.meridianmq.sdk.service.PluginSession;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka to MQTT: a consumer in the bridge's group reads the {@code from_kafka} topics and
 * publishes each record through the bridge's plugin session to the MQTT topic its template makes
 * (from the record's key, Kafka topic, partition or headers), at the line's QoS and retain flag,
 * with the record's headers as MQTT 5 user properties. Offsets are committed only once the broker
 * took every message of the batch; a batch the broker did not take is read again from the last
 * commit, so nothing is skipped (a message may come twice).
 *
 * <p>Threading: its own thread runs the poll loop (a Kafka consumer is single-threaded);
 * {@link #stop} may come from any thread.
 */
final class FromKafka implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(FromKafka.class);

    private final KafkaSettings settings;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final PluginSession session;
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicLong published = new AtomicLong();

    FromKafka(KafkaSettings settings, KafkaConsumer<byte[], byte[]> consumer, PluginSession session) {
        this.settings = settings;
        this.consumer = consumer;
        this.session = session;
        this.thread = new Thread(this, "meridian-kafka-" + settings.name() + "-consume");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long published() {
        return published.get();
    }

    @Override
    public void run() {
        List<String> topics = new ArrayList<>();
        settings.fromKafka().forEach(f -> topics.add(f.kafkaTopic()));
        try {
            consumer.subscribe(topics);
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                List<CompletableFuture<Void>> taken = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    KafkaSettings.FromKafka line = lineFor(r.topic());
                    if (line != null) {
                        String topic = topicFor(line, r);
                        taken.add(session.publish(topic, r.value() == null ? new byte[0] : r.value(), line.qos(),
                                line.retain(), properties(r)).toCompletableFuture());
                    }
                    next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                try {
                    CompletableFuture.allOf(taken.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                    // the broker has them: commit (without waiting; a commit lost is a batch read twice)
                    consumer.commitAsync(next, (offsets, failure) -> {
                        if (failure != null) {
                            LOG.warn("Kafka bridge '{}': offsets not committed ({}); the batch may come again",
                                    settings.name(), failure.toString());
                        }
                    });
                    published.addAndGet(taken.size());
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    LOG.warn("Kafka bridge '{}': the broker did not take every message of a batch ({}); reading it "
                            + "again", settings.name(), e.toString());
                    for (TopicPartition tp : next.keySet()) {
                        OffsetAndMetadata committed = consumer.committed(java.util.Set.of(tp)).get(tp);
                        consumer.seek(tp, committed == null ? 0 : committed.offset());
                    }
                }
            }
        } catch (WakeupException stopping) {
            // stop() woke the poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Kafka bridge '{}': the Kafka to MQTT direction stopped: {}", settings.name(), e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private KafkaSettings.FromKafka lineFor(String kafkaTopic) {
        for (KafkaSettings.FromKafka f : settings.fromKafka()) {
            if (f.kafkaTopic().equals(kafkaTopic)) {
                return f;
            }
        }
        return null;
    }

    /** The MQTT topic of {@code r} by {@code line}'s template. */
    static String topicFor(KafkaSettings.FromKafka line, ConsumerRecord<byte[], byte[]> r) {
        String template = line.mqttTopic();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int close = template.indexOf('}', i);
            if (template.charAt(i) == '{' && close > i) {
                String name = template.substring(i + 1, close);
                out.append(switch (name) {
                    case "key" -> r.key() == null ? "" : safe(new String(r.key(), StandardCharsets.UTF_8));
                    case "topic" -> r.topic();
                    case "partition" -> Integer.toString(r.partition());
                    default -> {
                        Header h = name.startsWith("header:") ? r.headers().lastHeader(name.substring(7)) : null;
                        yield h == null || h.value() == null ? "" : safe(new String(h.value(), StandardCharsets.UTF_8));
                    }
                });
                i = close + 1;
            } else {
                out.append(template.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    /** A value put into a topic level: wildcards and separators would change the topic's shape. */
    private static String safe(String v) {
        return v.replace('/', '_').replace('+', '_').replace('#', '_');
    }

    private static PublishProperties properties(ConsumerRecord<byte[], byte[]> r) {
        List<UserProperty> user = new ArrayList<>();
        for (Header h : r.headers()) {
            if (h.value() != null) {
                user.add(new UserProperty(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
            }
        }
        return user.isEmpty() ? PublishProperties.NONE : new PublishProperties(false, null, null, null, user);
    }
}
