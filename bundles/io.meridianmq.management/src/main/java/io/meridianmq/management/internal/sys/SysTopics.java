package io.meridianmq.management.internal.sys;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerStatistics;
import io.meridianmq.broker.DropReason;
import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.protocol.ConnectionStatistics;
import io.meridianmq.protocol.MqttPipeline;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.service.BrokerServices;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the broker's figures under {@code $SYS/broker/...} with Mosquitto's topic names,
 * retained, every {@code sys_interval} seconds ({@code etc/io.meridianmq.management.cfg},
 * default 10; 0 turns them off and clears them). A figure is published when it changed (uptime
 * and the load averages every time). Who may read them is the authorizers' decision, as for
 * any topic; {@code #} alone does not match them (MQTT's rule for topics starting with {@code $}).
 *
 * <p>Threading: one thread of its own ({@code meridian-sys}); {@link #start} and {@link #stop} on
 * the component runtime's.
 */
public final class SysTopics {

    private static final Logger LOG = LoggerFactory.getLogger(SysTopics.class);
    static final int DEFAULT_INTERVAL_SECONDS = 10;
    private static final String PREFIX = "$SYS/broker/";

    private final RunningBroker running;
    private final String version;
    private final long startedNanos = System.nanoTime();
    /** The component runtime's thread (start, stop). */
    private ScheduledExecutorService timer;
    // --- below: the timer's thread only (and the component runtime's, once the timer stopped) ---
    private int intervalSeconds;
    /** Each topic's last published value, so that only changes go out (and 0 can clear them). */
    private final Map<String, String> published = new ConcurrentHashMap<>();
    private final Map<String, LoadAverage> loads = new LinkedHashMap<>();

    public SysTopics(RunningBroker running, String version) {
        this.running = running;
        this.version = version;
    }

    /** Publishes every {@code sys_interval} seconds from now on; with 0, clears what was published. */
    public void start(Map<String, Object> config) {
        intervalSeconds = interval(config);
        if (intervalSeconds == 0) {
            clear();
            LOG.info("$SYS topics are off (sys_interval = 0)");
            return;
        }
        loads.clear();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-sys");
            t.setDaemon(true);
            return t;
        });
        // at once, then every interval: a value kept from before a restart is replaced right away
        timer.scheduleAtFixedRate(this::publishSafely, 0, intervalSeconds, TimeUnit.SECONDS);
        LOG.info("$SYS topics published every {} s (sys_interval)", intervalSeconds);
    }

    private static int interval(Map<String, Object> config) {
        Object raw = config.get("sys_interval");
        if (raw == null) {
            return DEFAULT_INTERVAL_SECONDS;
        }
        try {
            int v = Integer.parseInt(raw.toString().trim());
            if (v >= 0 && v <= 86_400) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        LOG.error("etc/io.meridianmq.management.cfg: sys_interval = '{}' is not a number of seconds from 0 to 86400; "
                + "using {}", raw, DEFAULT_INTERVAL_SECONDS);
        return DEFAULT_INTERVAL_SECONDS;
    }

    /** Stops publishing (what is published stays, retained). */
    public void stop() {
        if (timer != null) {
            // never shutdownNow(): an interrupt while a publish reads the store's file channel
            // closes the channel, and with it the durable store for the whole broker
            timer.shutdown();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            timer = null;
        }
    }

    private void publishSafely() {
        try {
            publishAll();
        } catch (RuntimeException e) {
            // the broker may be stopping between two ticks: the next tick tries again
            LOG.debug("$SYS topics not published this time: {}", e.toString());
        }
    }

    private void publishAll() {
        BrokerServices out = running.services();
        Broker b = running.broker();
        if (out == null || b == null) {
            return;
        }
        BrokerStatistics s = b.statistics();
        MqttPipeline protocol = running.protocol();
        ConnectionStatistics c = protocol == null ? null : protocol.statistics();
        Map<String, String> now = new LinkedHashMap<>();
        now.put("version", "Meridian " + version);
        now.put("uptime", (System.nanoTime() - startedNanos) / 1_000_000_000L + " seconds");
        long online = s.sessionsOnline();
        long offline = s.sessionsOffline();
        now.put("clients/connected", String.valueOf(online));
        now.put("clients/disconnected", String.valueOf(offline));
        now.put("clients/total", String.valueOf(online + offline));
        now.put("clients/maximum", String.valueOf(c == null ? online : Math.max(online, c.peakConnections())));
        now.put("clients/expired", String.valueOf(s.sessionsExpired()));
        long received = s.messagesReceived(0) + s.messagesReceived(1) + s.messagesReceived(2);
        long sent = s.messagesSent(0) + s.messagesSent(1) + s.messagesSent(2);
        long bytesIn = s.bytesReceived(0) + s.bytesReceived(1) + s.bytesReceived(2);
        long bytesOut = s.bytesSent(0) + s.bytesSent(1) + s.bytesSent(2);
        long dropped = dropped(s, c);
        now.put("messages/received", String.valueOf(received));
        now.put("messages/sent", String.valueOf(sent));
        now.put("publish/messages/received", String.valueOf(received));
        now.put("publish/messages/sent", String.valueOf(sent));
        now.put("publish/messages/dropped", String.valueOf(dropped));
        now.put("bytes/received", String.valueOf(bytesIn));
        now.put("bytes/sent", String.valueOf(bytesOut));
        now.put("subscriptions/count", String.valueOf(s.subscriptions()));
        now.put("retained messages/count", String.valueOf(s.retainedMessages()));
        now.put("store/messages/count", String.valueOf(s.retainedMessages() + s.queuedMessages() + s.inflightMessages()));
        now.put("store/messages/bytes", String.valueOf(s.retainedBytes() + s.queuedBytes()));
        long connects = c == null ? 0 : c.connects().getOrDefault("accepted", 0L);
        load(now, "messages/received", received);
        load(now, "messages/sent", sent);
        load(now, "publish/received", received);
        load(now, "publish/sent", sent);
        load(now, "publish/dropped", dropped);
        load(now, "bytes/received", bytesIn);
        load(now, "bytes/sent", bytesOut);
        load(now, "connections", connects);
        for (Map.Entry<String, String> e : now.entrySet()) {
            String topic = PREFIX + e.getKey();
            boolean always = e.getKey().equals("uptime") || e.getKey().startsWith("load/");
            if (always || !e.getValue().equals(published.get(topic))) {
                out.publish(topic, e.getValue().getBytes(StandardCharsets.UTF_8), 0, true, PublishProperties.NONE);
                published.put(topic, e.getValue());
            }
        }
    }

    private static long dropped(BrokerStatistics s, ConnectionStatistics c) {
        long n = 0;
        for (DropReason r : DropReason.values()) {
            n += s.dropped(r);
        }
        return c == null ? n : n + c.droppedTooLarge() + c.droppedSlowReader();
    }

    /** Adds {@code load/NAME/1min}, {@code 5min} and {@code 15min} for a counter now at {@code value}. */
    private void load(Map<String, String> now, String name, long value) {
        LoadAverage avg = loads.computeIfAbsent(name, n -> new LoadAverage());
        avg.update(value, intervalSeconds);
        String[] levels = LoadAverage.levels();
        for (int i = 0; i < levels.length; i++) {
            now.put("load/" + name + "/" + levels[i], String.format(java.util.Locale.ROOT, "%.2f", avg.over(i)));
        }
    }

    /** Clears every retained {@code $SYS} topic published so far (an empty retained message each). */
    private void clear() {
        BrokerServices out = running.services();
        Set<String> topics = Set.copyOf(published.keySet());
        if (out != null) {
            for (String topic : topics) {
                out.publish(topic, new byte[0], 0, true, PublishProperties.NONE);
            }
        }
        published.clear();
    }
}
