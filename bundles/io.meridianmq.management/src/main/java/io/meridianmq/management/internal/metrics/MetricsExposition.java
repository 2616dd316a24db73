package io.meridianmq.management.internal.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Supplier;

import io.meridianmq.broker.Broker;
import io.meridianmq.protocol.MqttPipeline;
import io.meridianmq.transport.IoThreads;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What {@code /metrics} answers: Meridian's metric families ({@link BrokerCollector}) and the
 * JVM's (Prometheus' {@code prometheus-metrics-instrumentation-jvm}: memory, GC, threads,
 * classes, buffer pools), in Prometheus' text format, written by the official Java client.
 *
 * <p>Threading: the management server's thread.
 */
public final class MetricsExposition {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsExposition(Supplier<Broker> broker, Supplier<MqttPipeline> protocol, Supplier<IoThreads> ioThreads,
            Supplier<java.util.List<io.meridianmq.transport.ListenerStatus>> listeners, String version) {
        registry.register(new BrokerCollector(broker, protocol, ioThreads, listeners, version));
        JvmMetrics.builder().register(registry);
    }

    /** The content type of {@link #scrape()}. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Every metric as it is now, in the text format. */
    public byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        return out.toByteArray();
    }
}
