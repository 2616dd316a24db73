package io.meridianmq.bridge.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.meridianmq.sdk.interceptor.ModifiablePublish;
import io.meridianmq.sdk.interceptor.PublishInboundInput;
import io.meridianmq.sdk.interceptor.PublishInboundInterceptor;
import io.meridianmq.sdk.interceptor.PublishInboundOutput;
import io.meridianmq.sdk.message.UserProperty;
import io.meridianmq.sdk.topic.Topics;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT to Kafka: an inbound interceptor that turns each PUBLISH matching a {@code to_kafka} line
 * into a Kafka record (topic from the template, key from the MQTT topic, the client id or a JSON
 * field, headers {@code mqtt.topic}, {@code mqtt.qos}, {@code mqtt.clientid} and the MQTT 5 user
 * properties). With {@code ack_mode = kafka} a QoS 1/2 PUBLISH goes on (is routed) at once but its
 * PUBACK/PUBREC waits until Kafka acknowledged the record ({@code acks=all}); when Kafka does
 * not, the publisher is told the message is not safe and sends it again, so a Kafka outage holds
 * publishers back instead of losing data, and one publisher's next messages are not held up
 * while Kafka answers. At most {@code max_buffered} records are on their way at once; beyond,
 * publishes are not taken at all.
 *
 * <p>Thread-safe: called on plugin threads; records are handed to the producer on one thread of
 * its own (a send may wait for Kafka's metadata), in the order the broker gave them.
 */
final class ToKafka implements PublishInboundInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(ToKafka.class);

    private final KafkaSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Semaphore room;
    private final ExecutorService sender;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** Told whether Kafka takes records (after each change), with why not. */
    private final java.util.function.BiConsumer<Boolean, String> onState;
    private volatile boolean up = true;

    ToKafka(KafkaSettings settings, KafkaProducer<byte[], byte[]> producer,
            java.util.function.BiConsumer<Boolean, String> onState) {
        this.settings = settings;
        this.onState = onState;
        this.producer = producer;
        this.room = new Semaphore(settings.maxBuffered());
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "meridian-kafka-" + settings.name() + "-send");
            t.setDaemon(true);
            return t;
        });
    }

    void stop() {
        sender.shutdown();
    }

    long sent() {
        return sent.get();
    }

    long failed() {
        return failed.get();
    }

    /** Records on their way to Kafka now (the back-log). */
    long pending() {
        return settings.maxBuffered() - room.availablePermits();
    }

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        ModifiablePublish p = output.publish();
        KafkaSettings.ToKafka line = null;
        for (KafkaSettings.ToKafka t : settings.toKafka()) {
            if (Topics.matches(t.filter(), p.topic())) {
                line = t;
                break;
            }
        }
        if (line == null) {
            return; // not bridged: the message goes on as it is
        }
        String clientId = input.client().clientId();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(line.kafkaTopicFor(p.topic(), clientId), null,
                key(line, p.topic(), clientId, p.payload()), p.payload(), headers(p, clientId));
        boolean wait = settings.ackKafka() && p.qos() > 0;
        if (!room.tryAcquire()) {
            failed.incrementAndGet();
            if (wait) {
                output.fail("the Kafka bridge '" + settings.name() + "' has " + settings.maxBuffered()
                        + " records on their way already (max_buffered): Kafka is slow or away");
            } else {
                LOG.warn("Kafka bridge '{}': buffer full (max_buffered {}); a message to '{}' is not sent to Kafka",
                        settings.name(), settings.maxBuffered(), p.topic());
            }
            return;
        }
        // the message goes on now; its PUBACK waits for Kafka (the next ones are not held up meanwhile)
        java.util.concurrent.CompletableFuture<Void> handedOn = wait ? new java.util.concurrent.CompletableFuture<>()
                : null;
        if (handedOn != null) {
            output.acknowledgeAfter(handedOn);
        }
        sender.execute(() -> {
            try {
                producer.send(record, (metadata, error) -> {
                    room.release();
                    if (error == null) {
                        sent.incrementAndGet();
                        if (!up) {
                            up = true;
                            LOG.info("Kafka bridge '{}': Kafka takes records again", settings.name());
                            onState.accept(true, null);
                        }
                        if (handedOn != null) {
                            handedOn.complete(null);
                        }
                    } else {
                        refused(record, error);
                        if (handedOn != null) {
                            handedOn.completeExceptionally(error);
                        }
                    }
                });
            } catch (RuntimeException e) {
                room.release();
                refused(record, e);
                if (handedOn != null) {
                    handedOn.completeExceptionally(e);
                }
            }
        });
    }

    private void refused(ProducerRecord<byte[], byte[]> record, Exception error) {
        failed.incrementAndGet();
        if (up) {
            up = false;
            onState.accept(false, "Kafka did not take a record: " + error.getMessage());
        }
        LOG.warn("Kafka bridge '{}': Kafka did not take the record for '{}': {}", settings.name(), record.topic(),
                error.toString());
    }

    private static byte[] key(KafkaSettings.ToKafka line, String topic, String clientId, byte[] payload) {
        return switch (line.key()) {
            case TOPIC -> topic.getBytes(StandardCharsets.UTF_8);
            case CLIENTID -> clientId.getBytes(StandardCharsets.UTF_8);
            case NONE -> null;
            case JSON -> {
                String v = jsonField(new String(payload, StandardCharsets.UTF_8), line.jsonField());
                yield v == null ? null : v.getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    /**
     * The value of a top-level field of a JSON object, as text (a string without its quotes), or
     * null when the payload has no such field. A small reader on purpose: the key is all it needs.
     */
    static String jsonField(String json, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[-0-9.eE+]+|true|false)")
                .matcher(json);
        if (!m.find()) {
            return null;
        }
        return m.group(2) != null ? m.group(2) : m.group(1);
    }

    private static RecordHeaders headers(ModifiablePublish p, String clientId) {
        RecordHeaders h = new RecordHeaders();
        h.add("mqtt.topic", p.topic().getBytes(StandardCharsets.UTF_8));
        h.add("mqtt.qos", Integer.toString(p.qos()).getBytes(StandardCharsets.UTF_8));
        h.add("mqtt.clientid", clientId.getBytes(StandardCharsets.UTF_8));
        List<UserProperty> user = new ArrayList<>(p.userProperties());
        for (UserProperty u : user) {
            h.add(u.name(), u.value().getBytes(StandardCharsets.UTF_8));
        }
        return h;
    }
}
