package io.meridianmq.broker.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits on stored state ({@code max_sessions}, {@code max_subscriptions},
 * {@code max_retained_*}, {@code max_topic_*}): whether a PUBLISH is within them, and the count
 * and log line of every refusal at one, so that a client hammering a limit cannot flood the log.
 *
 * <p>Thread-safe; the settings are read afresh each time (they change live).
 */
final class StateLimits {

    private static final Logger LOG = LoggerFactory.getLogger(StateLimits.class);

    private final Supplier<BrokerSettings> settings;
    private final RetainedMessages retained;
    private final MetricsRegistry metrics;
    /** Refusals at each limit, by limit name (for metrics). */
    private final ConcurrentHashMap<String, AtomicLong> hits = new ConcurrentHashMap<>();

    StateLimits(Supplier<BrokerSettings> settings, RetainedMessages retained, MetricsRegistry metrics) {
        this.settings = settings;
        this.retained = retained;
        this.metrics = metrics;
    }

    /**
     * Why a PUBLISH is over the limits (the topic's length or levels; for a retained one the
     * retained messages' count or bytes), or null when it is within them.
     */
    String publishProblem(String topic, boolean retain, int payloadLength) {
        BrokerSettings.StateLimits limits = settings.get().limits();
        String problem = limits.topicProblem(topic);
        if (problem != null || !retain) {
            return problem;
        }
        return retained.refusal(topic, payloadLength, limits);
    }

    /** Counts and logs a refusal at {@code limit}: the first and every 1,000th. */
    void refused(String limit, String clientId, String why) {
        long n = hits.computeIfAbsent(limit, k -> {
            AtomicLong c = new AtomicLong();
            if (metrics != null) {
                metrics.gauge("broker.limits." + k + ".refused", c::get);
            }
            return c;
        }).incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            LOG.warn("Client '{}': {} ({} refusal(s) at this limit so far)", clientId, why, n);
        }
    }
}
