package io.meridianmq.protocol.internal;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.protocol.ListenerOptions;
import io.meridianmq.protocol.ConnectionStatistics;
import io.meridianmq.protocol.MqttPipeline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the MQTT handlers on each accepted channel: a packet framer that checks what Netty's
 * decoder does not, Netty's MQTT codec,
 * and one {@link MqttConnection}. Settings come from {@code etc/io.meridianmq.protocol.cfg}; a
 * changed setting applies to connections opened afterwards. When the protocol stops (the broker
 * shuts down) every client is told so (MQTT 5: DISCONNECT 0x8B) before its connection closes.
 */
@Component(service = MqttPipeline.class, configurationPid = "io.meridianmq.protocol")
public class MqttPipelineComponent implements MqttPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(MqttPipelineComponent.class);
    /** The largest packet MQTT can express: 1 + 4 length bytes + 268,435,455. */
    static final int MQTT_MAX_PACKET_SIZE = 268_435_460;

    @Reference
    private Broker broker;

    private volatile ProtocolSettings settings = ProtocolSettings.DEFAULTS;
    /** Publish rate limits and the overload state, shared by every connection. */
    private final LoadLimits load = new LoadLimits();
    /** New connections worked on at once (max_connecting), over all listeners: they share the event loops. */
    private final ConnectTurns turns = new ConnectTurns(DEFAULT_MAX_CONNECTING);
    static final int DEFAULT_MAX_CONNECTING = 64;
    /** Open connections (those before CONNACK included, for max_connections) and the other counters. */
    private final ConnectionCounters counters = new ConnectionCounters();
    /** Clients traced on demand (meridian:trace), written to data/log/trace-CLIENT.log. */
    private final PacketTrace trace = new PacketTrace(java.nio.file.Path.of(
            System.getProperty("karaf.data", System.getProperty("java.io.tmpdir")), "log"));
    /** Open connections by listener name. */
    private final java.util.concurrent.ConcurrentHashMap<String, ListenerConnections> connections =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Activate
    @Modified
    void configure(Map<String, Object> config) {
        Object file = config.get("felix.fileinstall.filename");
        String source = file != null ? file.toString() : "configuration io.meridianmq.protocol";
        ProtocolSettings s = settings;
        String prefix = config.get("response_information") == null ? s.responseInformation()
                : config.get("response_information").toString().trim();
        settings = new ProtocolSettings(
                intSetting(config, source, "max_packet_size", 16, MQTT_MAX_PACKET_SIZE, s.maxPacketSize()),
                intSetting(config, source, "connect_timeout", 1, 3600, s.connectTimeoutSeconds()),
                intSetting(config, source, "max_topic_alias", 0, 65535, s.topicAliasMaximum()),
                intSetting(config, source, "max_inflight_incoming", 1, 65535, s.receiveMaximum()),
                intSetting(config, source, "max_keepalive", 1, 65535, s.maxKeepAlive()),
                prefix,
                intSetting(config, source, "max_connections", -1, Integer.MAX_VALUE, s.maxConnections()),
                intSetting(config, source, "max_connect_packet_size", 16, MQTT_MAX_PACKET_SIZE, s.maxConnectPacketSize()));
        RateLimits r = previousLimits;
        previousLimits = new RateLimits(
                intSetting(config, source, "max_publish_rate", 0, Integer.MAX_VALUE, (int) r.messagesPerSecond()),
                intSetting(config, source, "max_publish_burst", 0, Integer.MAX_VALUE, (int) r.messageBurst()),
                intSetting(config, source, "max_publish_bytes_rate", 0, Integer.MAX_VALUE, (int) r.bytesPerSecond()),
                intSetting(config, source, "max_publish_bytes_burst", 0, Integer.MAX_VALUE, (int) r.byteBurst()));
        overloadPublishRate = intSetting(config, source, "overload_publish_rate", 0, Integer.MAX_VALUE, overloadPublishRate);
        maxConnecting = intSetting(config, source, "max_connecting", 0, Integer.MAX_VALUE, maxConnecting);
        turns.max(maxConnecting);
        load.configure(previousLimits, overloadPublishRate);
    }

    /** The rate limits last configured (configuration thread). */
    private RateLimits previousLimits = RateLimits.NONE;
    private int overloadPublishRate = 100;
    /** max_connecting as last configured (configuration thread). */
    private int maxConnecting = DEFAULT_MAX_CONNECTING;

    @Override
    public void overload(String why) {
        String was = load.overloaded();
        load.overload(why);
        if (why != null && was == null) {
            LOG.warn("Overload: {}. New connections are refused (server busy) and publishers are held to {} "
                    + "messages/s until it passes", why, overloadPublishRate);
        } else if (why == null && was != null) {
            LOG.info("Overload over: new connections are accepted again and publishers are no longer slowed");
        }
    }

    @Deactivate
    void deactivate() {
        for (String listener : connections.keySet()) {
            closeConnections(listener);
        }
        trace.stop();
    }

    @Override
    public CompletionStage<Void> brokerReady() {
        return broker.ready();
    }

    @Override
    public CompletionStage<Void> authenticationInPlace() {
        return broker.authenticationInPlace();
    }

    @Override
    public void closeConnections(String listenerName) {
        ListenerConnections open = connections.remove(listenerName);
        java.util.List<ListedConnection> all = open == null ? java.util.List.of() : open.snapshot();
        if (all.isEmpty()) {
            return;
        }
        LOG.info("Telling {} client(s) of listener '{}' that the server is shutting down", all.size(), listenerName);
        for (ListedConnection c : all) {
            ((MqttConnection) c).close(DisconnectReason.SERVER_SHUTTING_DOWN, "server shutting down");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (ListedConnection c : all) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !c.channel.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                return; // the listener goes on stopping: the rest close when their writes end or fail
            }
        }
    }

    private static int intSetting(Map<String, Object> config, String source, String key, int min, int max, int previous) {
        Object raw = config.get(key);
        if (raw == null) {
            return previous;
        }
        try {
            int value = Integer.parseInt(raw.toString().trim());
            if (value >= min && value <= max) {
                return value;
            }
            LOG.error("{}: {} = {} is out of range [{}..{}]; keeping {}", source, key, raw, min, max, previous);
        } catch (NumberFormatException e) {
            LOG.error("{}: {} = '{}' is not a whole number; keeping {}", source, key, raw, previous);
        }
        return previous;
    }

    @Override
    public java.nio.file.Path trace(String clientId, java.time.Duration duration) {
        java.nio.file.Path file = trace.start(clientId, duration);
        for (ListenerConnections open : connections.values()) {
            for (ListedConnection c : open.snapshot()) {
                // its client id belongs to its event loop
                c.channel.eventLoop().execute(((MqttConnection) c)::traceIfTraced);
            }
        }
        return file;
    }

    @Override
    public Map<String, java.time.Instant> traces() {
        return trace.active();
    }

    @Override
    public ConnectionStatistics statistics() {
        return new ConnectionStatistics() {
            @Override
            public Map<String, Long> connectionsByListener() {
                Map<String, Long> now = new java.util.TreeMap<>();
                connections.forEach((name, group) -> now.put(name, (long) group.size()));
                return now;
            }

            @Override
            public Map<String, Long> connects() {
                return counters.connects();
            }

            @Override
            public Map<String, Long> disconnects() {
                return counters.disconnects();
            }

            @Override
            public long peakConnections() {
                return counters.peak.get();
            }

            @Override
            public long droppedTooLarge() {
                return counters.droppedTooLarge.sum();
            }

            @Override
            public long droppedSlowReader() {
                return counters.droppedSlowReader.sum();
            }

            @Override
            public Map<String, Long> rateLimited() {
                return counters.rateLimited();
            }

            @Override
            public String overloaded() {
                return load.overloaded();
            }
        };
    }

    @Override
    public int maxPacketSize() {
        return settings.maxPacketSize();
    }

    @Override
    public void initialize(Channel channel, String listenerName) {
        initialize(channel, listenerName, ListenerOptions.NONE);
    }

    /** The MQTT handlers, in order, ending in {@code connection} (also what the fuzz tests drive). */
    static void addHandlers(ChannelPipeline p, ProtocolSettings s, ConnectTurns turns, MqttConnection connection) {
        // until CONNACK, a deadline counted from accept (reads do not extend it: a client trickling
        // its CONNECT byte by byte is closed all the same), replaced by the keep-alive watch then
        // (and nothing is read before the connection's turn, max_connecting)
        p.addLast(MqttConnection.IDLE_HANDLER, new ConnectDeadline(s.connectTimeoutSeconds(), turns));
        p.addLast(MqttConnection.FRAMER, new PacketFramer(Math.min(s.maxConnectPacketSize(), s.maxPacketSize()),
                s.maxPacketSize()));
        p.addLast("mqtt-decoder", new MqttDecoder(s.maxPacketSize()));
        p.addLast("mqtt-encoder", MqttEncoder.INSTANCE);
        p.addLast("mqtt-connection", connection);
    }

    @Override
    public void initialize(Channel channel, String listenerName, ListenerOptions options) {
        ProtocolSettings s = settings;
        MqttConnection connection = new MqttConnection(broker, listenerName, s, counters, trace, options, load);
        connection.listedIn = connections.computeIfAbsent(listenerName, n -> new ListenerConnections());
        addHandlers(channel.pipeline(), s, turns, connection);
    }
}
