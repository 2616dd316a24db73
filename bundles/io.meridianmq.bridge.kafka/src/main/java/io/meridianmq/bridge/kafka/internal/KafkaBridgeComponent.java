package io.meridianmq.bridge.kafka.internal;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.meridianmq.sdk.interceptor.PublishInboundInterceptor;
import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.sdk.service.PluginHealth;
import io.meridianmq.sdk.service.PluginMetrics;
import io.meridianmq.sdk.service.PluginSession;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka bridge per file {@code etc/io.meridianmq.kafka-NAME.cfg} (a factory configuration):
 * MQTT to Kafka through an inbound interceptor ({@link ToKafka}), Kafka to MQTT through a consumer
 * and a plugin session ({@link FromKafka}). A file added starts a bridge, changed restarts it,
 * removed stops it; bad settings are refused with a log line naming the file and key. Metrics
 * {@code kafka.NAME.sent}, {@code .failed}, {@code .pending} (the back-log), {@code .received};
 * health check {@code kafka NAME} (informational).
 *
 * <p>Activated and deactivated by the component runtime, one at a time.
 */
@Component(configurationPid = "io.meridianmq.kafka", configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
public class KafkaBridgeComponent {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBridgeComponent.class);
    /** The running bridge of each name, for the metrics registered once per name and bundle. */
    private static final Map<String, KafkaBridgeComponent> RUNNING = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Set<String> MEASURED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Reference
    BrokerServices broker;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile PluginMetrics metrics;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile PluginHealth health;

    private KafkaSettings settings;
    private KafkaProducer<byte[], byte[]> producer;
    private ToKafka toKafka;
    private ServiceRegistration<PublishInboundInterceptor> interceptor;
    private PluginSession session;
    private FromKafka fromKafka;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        String file = String.valueOf(config.getOrDefault("felix.fileinstall.filename", "io.meridianmq.kafka-?.cfg"));
        String name = nameOf(config, file);
        try {
            settings = KafkaSettings.from(name, config);
        } catch (IllegalArgumentException bad) {
            LOG.error("Kafka bridge '{}' not started: {}: {}", name, file, bad.getMessage());
            return;
        }
        LOG.info("Kafka bridge '{}' starting: {}", name, settings.describe());
        Thread current = Thread.currentThread();
        ClassLoader before = current.getContextClassLoader();
        // Kafka loads classes named in its settings (and config providers) through this loader
        current.setContextClassLoader(KafkaBridgeComponent.class.getClassLoader());
        try {
            if (!settings.toKafka().isEmpty()) {
                Properties p = settings.clientProperties();
                p.putIfAbsent("acks", "all");
                p.putIfAbsent("enable.idempotence", "true");
                p.putIfAbsent("linger.ms", "1");
                p.putIfAbsent("delivery.timeout.ms", "30000");
                p.putIfAbsent("request.timeout.ms", "10000");
                p.putIfAbsent("max.block.ms", "10000");
                producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
                toKafka = new ToKafka(settings, producer, this::state);
                Dictionary<String, Object> props = new Hashtable<>();
                props.put("meridian.kafka.bridge", name);
                interceptor = context.registerService(PublishInboundInterceptor.class, toKafka, props);
            }
            if (!settings.fromKafka().isEmpty()) {
                Properties p = settings.clientProperties();
                p.put("group.id", settings.groupId());
                p.put("enable.auto.commit", "false");
                p.putIfAbsent("auto.offset.reset", "earliest");
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
                session = broker.openSession("meridian-kafka-" + name, 0, 100, 0, m -> m.acknowledge())
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                fromKafka = new FromKafka(settings, consumer, session);
                fromKafka.start();
            }
        } catch (Exception e) {
            LOG.error("Kafka bridge '{}' not started: {}: {}", name, file, e.getMessage() == null ? e.toString()
                    : e.getMessage());
            deactivate();
            return;
        } finally {
            current.setContextClassLoader(before);
        }
        RUNNING.put(name, this);
        measure(name);
        state(true, null);
    }

    @Deactivate
    void deactivate() {
        if (interceptor != null) {
            interceptor.unregister();
            interceptor = null;
        }
        if (fromKafka != null) {
            fromKafka.stop();
            fromKafka = null;
        }
        if (session != null) {
            session.close();
            session = null;
        }
        if (toKafka != null) {
            toKafka.stop();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        if (settings != null) {
            RUNNING.remove(settings.name(), this);
            PluginHealth h = health;
            if (h != null) {
                h.withdraw("kafka " + settings.name());
            }
            LOG.info("Kafka bridge '{}' stopped", settings.name());
        }
    }

    private void state(boolean up, String problem) {
        PluginHealth h = health;
        if (h != null && settings != null) {
            h.report("kafka " + settings.name(), up, problem);
        }
    }

    private void measure(String name) {
        PluginMetrics m = metrics;
        if (m == null || !MEASURED.add(name)) {
            return;
        }
        String p = "kafka." + name + ".";
        m.gauge(p + "sent", "Records Kafka acknowledged from bridge " + name, () -> figure(name, c ->
                c.toKafka == null ? 0 : c.toKafka.sent()));
        m.gauge(p + "failed", "Records Kafka did not take from bridge " + name, () -> figure(name, c ->
                c.toKafka == null ? 0 : c.toKafka.failed()));
        m.gauge(p + "pending", "Records of bridge " + name + " on their way to Kafka (the back-log)", () -> figure(name,
                c -> c.toKafka == null ? 0 : c.toKafka.pending()));
        m.gauge(p + "received", "Kafka records bridge " + name + " published in MQTT", () -> figure(name, c ->
                c.fromKafka == null ? 0 : c.fromKafka.published()));
    }

    private static long figure(String name, java.util.function.ToLongFunction<KafkaBridgeComponent> f) {
        KafkaBridgeComponent c = RUNNING.get(name);
        return c == null ? 0 : f.applyAsLong(c);
    }

    /** {@code name} from the file, else from {@code io.meridianmq.kafka-NAME.cfg}. */
    static String nameOf(Map<String, Object> config, String file) {
        Object explicit = config.get("name");
        if (explicit != null && !explicit.toString().isBlank()) {
            return explicit.toString().trim();
        }
        String base = file.substring(file.lastIndexOf('/') + 1);
        int dash = base.indexOf('-');
        int dot = base.lastIndexOf('.');
        return dash >= 0 && dot > dash ? base.substring(dash + 1, dot) : "kafka";
    }
}
