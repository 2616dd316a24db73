package io.meridianmq.broker.internal;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's limits and policies, read from the {@code io.meridianmq.broker} configuration
 * ({@code etc/io.meridianmq.broker.cfg}) with Mosquitto's setting names. A bad value is refused
 * with a log line naming the file and key, and the previous value is kept.
 */
record BrokerSettings(int maxInflightMessages, int maxQueuedMessages, long maxQueuedBytes, boolean queueQos0Messages,
        AnonymousPolicy allowAnonymous, int maximumQos, boolean retainAvailable, boolean sessionOwnerCheck,
        StateLimits limits, Flapping flapping, int slowConsumerTimeoutSeconds) {

    /**
     * Flapping detection: a client id or address that connects more than {@code maxCount} times
     * within {@code window} is banned for {@code banTime}; {@code maxCount} 0 turns it off.
     */
    record Flapping(int maxCount, java.time.Duration window, java.time.Duration banTime) {

        static final Flapping DEFAULTS = new Flapping(0, java.time.Duration.ofMinutes(1),
                java.time.Duration.ofMinutes(5));
    }

    /**
     * Bounds on what clients make the broker keep; -1 is no limit.
     *
     * @param maxSessions sessions the broker keeps (connected, and offline persistent ones); a
     *        CONNECT that would create another persistent session is refused
     * @param maxSubscriptions subscriptions per client
     * @param maxRetainedMessages retained messages in all
     * @param maxRetainedBytes payload bytes of retained messages in all
     * @param maxTopicLevels levels of a topic name or filter
     * @param maxTopicLength UTF-16 characters of a topic name or filter
     */
    record StateLimits(int maxSessions, int maxSubscriptions, long maxRetainedMessages, long maxRetainedBytes,
            int maxTopicLevels, int maxTopicLength) {

        static final StateLimits DEFAULTS = new StateLimits(100_000, 10_000, 1_000_000, 1L << 30, 128, 65_535);

        /** Why {@code topic} (a name or filter) is over the limits, or null. */
        String topicProblem(String topic) {
            if (maxTopicLength >= 0 && topic.length() > maxTopicLength) {
                return "topic of " + topic.length() + " characters exceeds max_topic_length " + maxTopicLength;
            }
            if (maxTopicLevels >= 0) {
                int levels = 1;
                for (int i = 0; i < topic.length(); i++) {
                    if (topic.charAt(i) == '/' && ++levels > maxTopicLevels) {
                        return "topic of more than " + maxTopicLevels + " levels exceeds max_topic_levels";
                    }
                }
            }
            return null;
        }

        String describe() {
            return "max_sessions=" + maxSessions + ", max_subscriptions=" + maxSubscriptions + ", max_retained_messages="
                    + maxRetainedMessages + ", max_retained_bytes=" + maxRetainedBytes + ", max_topic_levels="
                    + maxTopicLevels + ", max_topic_length=" + maxTopicLength;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(BrokerSettings.class);

    static final BrokerSettings DEFAULTS = new BrokerSettings(20, 1000, 32L << 20, false,
            AnonymousPolicy.LOOPBACK, 2, true, true, StateLimits.DEFAULTS, Flapping.DEFAULTS, 60);

    /** Who may connect without credentials. */
    enum AnonymousPolicy {
        /** Anyone. */
        TRUE,
        /** No one. */
        FALSE,
        /** Only clients connecting from a loopback address (the safe default). */
        LOOPBACK
    }

    /** The settings as an operator writes them, for the log. */
    String describe() {
        return "max_inflight_messages=" + maxInflightMessages + ", max_queued_messages=" + maxQueuedMessages
                + ", max_queued_bytes=" + maxQueuedBytes + ", queue_qos0_messages=" + queueQos0Messages + ", allow_anonymous="
                + allowAnonymous.name().toLowerCase(java.util.Locale.ROOT) + ", max_qos=" + maximumQos
                + ", retain_available=" + retainAvailable + ", session_owner_check=" + sessionOwnerCheck + ", "
                + limits.describe() + ", flapping_max_count=" + flapping.maxCount() + ", flapping_window="
                + flapping.window().toSeconds() + ", flapping_ban_time=" + flapping.banTime().toSeconds() + ", slow_consumer_timeout=" + slowConsumerTimeoutSeconds;
    }

    /** Reads settings from a configuration, keeping {@code previous} for every key that is bad. */
    static BrokerSettings from(Map<String, ?> config, BrokerSettings previous) {
        Object file = config.get("felix.fileinstall.filename");
        String source = file != null ? file.toString() : "configuration io.meridianmq.broker";
        int maxInflight = intSetting(config, source, "max_inflight_messages", 1, 65535, previous.maxInflightMessages);
        int maxQueued = intSetting(config, source, "max_queued_messages", 0, Integer.MAX_VALUE, previous.maxQueuedMessages);
        long maxQueuedBytes = intSetting(config, source, "max_queued_bytes", 0, Integer.MAX_VALUE,
                (int) Math.min(Integer.MAX_VALUE, previous.maxQueuedBytes));
        boolean queueQos0 = boolSetting(config, source, "queue_qos0_messages", previous.queueQos0Messages);
        AnonymousPolicy anonymous = previous.allowAnonymous;
        Object raw = config.get("allow_anonymous");
        if (raw != null) {
            String value = raw.toString().trim().toUpperCase(java.util.Locale.ROOT);
            try {
                anonymous = AnonymousPolicy.valueOf(value);
            } catch (IllegalArgumentException e) {
                LOG.error("{}: allow_anonymous = '{}' is not one of true, false, loopback; keeping {}", source, raw,
                        anonymous.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        int maxQos = intSetting(config, source, "max_qos", 0, 2, previous.maximumQos);
        boolean retainAvailable = boolSetting(config, source, "retain_available", previous.retainAvailable);
        boolean ownerCheck = boolSetting(config, source, "session_owner_check", previous.sessionOwnerCheck);
        StateLimits l = previous.limits;
        StateLimits limits = new StateLimits(
                intSetting(config, source, "max_sessions", -1, Integer.MAX_VALUE, l.maxSessions()),
                intSetting(config, source, "max_subscriptions", -1, Integer.MAX_VALUE, l.maxSubscriptions()),
                longSetting(config, source, "max_retained_messages", l.maxRetainedMessages()),
                longSetting(config, source, "max_retained_bytes", l.maxRetainedBytes()),
                intSetting(config, source, "max_topic_levels", -1, 65_535, l.maxTopicLevels()),
                intSetting(config, source, "max_topic_length", -1, 65_535, l.maxTopicLength()));
        Flapping f = previous.flapping;
        Flapping flapping = new Flapping(
                intSetting(config, source, "flapping_max_count", 0, Integer.MAX_VALUE, f.maxCount()),
                java.time.Duration.ofSeconds(intSetting(config, source, "flapping_window", 1, 86_400 * 7,
                        (int) f.window().toSeconds())),
                java.time.Duration.ofSeconds(intSetting(config, source, "flapping_ban_time", 1, 86_400 * 365,
                        (int) f.banTime().toSeconds())));
        return new BrokerSettings(maxInflight, maxQueued, maxQueuedBytes, queueQos0, anonymous, maxQos, retainAvailable,
                ownerCheck, limits, flapping, intSetting(config, source, "slow_consumer_timeout", 0, 86_400,
                        previous.slowConsumerTimeoutSeconds));
    }

    private static long longSetting(Map<String, ?> config, String source, String key, long previous) {
        Object raw = config.get(key);
        if (raw == null) {
            return previous;
        }
        try {
            long value = Long.parseLong(raw.toString().trim());
            if (value < -1) {
                LOG.error("{}: {} = {} is out of range (-1 for no limit, or a count); keeping {}", source, key, raw,
                        previous);
                return previous;
            }
            return value;
        } catch (NumberFormatException e) {
            LOG.error("{}: {} = '{}' is not a whole number; keeping {}", source, key, raw, previous);
            return previous;
        }
    }

    private static int intSetting(Map<String, ?> config, String source, String key, int min, int max, int previous) {
        Object raw = config.get(key);
        if (raw == null) {
            return previous;
        }
        try {
            int value = Integer.parseInt(raw.toString().trim());
            if (value < min || value > max) {
                LOG.error("{}: {} = {} is out of range [{}..{}]; keeping {}", source, key, raw, min, max, previous);
                return previous;
            }
            return value;
        } catch (NumberFormatException e) {
            LOG.error("{}: {} = '{}' is not a whole number; keeping {}", source, key, raw, previous);
            return previous;
        }
    }

    private static boolean boolSetting(Map<String, ?> config, String source, String key, boolean previous) {
        Object raw = config.get(key);
        if (raw == null) {
            return previous;
        }
        String value = raw.toString().trim();
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        LOG.error("{}: {} = '{}' is not true or false; keeping {}", source, key, raw, previous);
        return previous;
    }
}
