package io.meridianmq.management.internal.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerStatistics;
import io.meridianmq.broker.DropReason;
import io.meridianmq.broker.PluginCalls;
import io.meridianmq.protocol.ConnectionStatistics;
import io.meridianmq.protocol.MqttPipeline;
import io.meridianmq.transport.IoThreads;
import io.meridianmq.transport.ListenerStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Meridian's figures as Prometheus metric families, read from the broker's and the protocol
 * layer's statistics at each scrape (nothing is counted here, so the message path pays nothing
 * for a scrape). Names are {@code meridian_*}, counters end in {@code _total}, units are in the
 * name. A broker or protocol layer that is not running contributes nothing.
 *
 * <p>Threading: the management server's thread (one scrape at a time).
 */
final class BrokerCollector implements MultiCollector {

    private static final String[] QOS = {"0", "1", "2"};

    private final Supplier<Broker> broker;
    private final Supplier<MqttPipeline> protocol;
    private final Supplier<IoThreads> ioThreads;
    private final String version;
    private final Supplier<List<ListenerStatus>> listeners;

    BrokerCollector(Supplier<Broker> broker, Supplier<MqttPipeline> protocol, Supplier<IoThreads> ioThreads,
            Supplier<List<ListenerStatus>> listeners, String version) {
        this.listeners = listeners;
        this.broker = broker;
        this.protocol = protocol;
        this.ioThreads = ioThreads;
        this.version = version;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> all = new ArrayList<>();
        all.add(InfoSnapshot.builder().name("meridian_build").help("Meridian's version")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", version)).build())
                .build());
        Broker b = broker.get();
        if (b != null) {
            core(b.statistics(), all);
            all.add(pluginMetrics(b.metrics()));
            cluster(b.clusterFigures(), all);
        }
        MqttPipeline p = protocol.get();
        if (p != null) {
            connections(p.statistics(), all);
        }
        all.add(dropped(b == null ? null : b.statistics(), p == null ? null : p.statistics()));
        CounterSnapshot.Builder refused = CounterSnapshot.builder().name("meridian_connections_refused")
                .help("Accepted sockets a listener closed at once, by the limit that refused them");
        for (ListenerStatus l : listeners.get()) {
            l.refusedConnections().forEach((limit, n) -> refused.dataPoint(CounterDataPointSnapshot.builder().value(n)
                    .labels(Labels.of("listener", l.name(), "limit", limit)).build()));
        }
        all.add(refused.build());
        IoThreads io = ioThreads.get();
        if (io != null) {
            GaugeSnapshot.Builder lag = GaugeSnapshot.builder().name("meridian_event_loop_lag_seconds")
                    .help("How late each MQTT I/O thread last ran a task due for it").unit(Unit.SECONDS);
            io.lagNanos().forEach((thread, nanos) -> lag.dataPoint(
                    GaugeDataPointSnapshot.builder().value(nanos / 1e9).labels(Labels.of("thread", thread)).build()));
            all.add(lag.build());
        }
        return new MetricSnapshots(all);
    }

    private static void core(BrokerStatistics s, List<MetricSnapshot> all) {
        all.add(byQos("meridian_messages_received", "PUBLISH packets received from clients", null, s::messagesReceived));
        all.add(byQos("meridian_payload_received_bytes", "Payload bytes received from clients", Unit.BYTES,
                s::bytesReceived));
        all.add(byQos("meridian_messages_sent", "PUBLISH packets sent to subscribers, resends included", null,
                s::messagesSent));
        all.add(byQos("meridian_payload_sent_bytes", "Payload bytes sent to subscribers", Unit.BYTES, s::bytesSent));
        all.add(GaugeSnapshot.builder().name("meridian_sessions").help("Sessions by state")
                .dataPoint(gauge(s.sessionsOnline(), "state", "online"))
                .dataPoint(gauge(s.sessionsOffline(), "state", "offline")).build());
        all.add(gauge("meridian_subscriptions", "Subscriptions of all sessions, shared ones included", null,
                s.subscriptions()));
        all.add(gauge("meridian_shared_subscriptions", "Subscriptions in a shared group", null,
                s.sharedSubscriptions()));
        all.add(gauge("meridian_retained_messages", "Retained messages", null, s.retainedMessages()));
        all.add(gauge("meridian_retained_payload_bytes", "Payload bytes of the retained messages", Unit.BYTES,
                s.retainedBytes()));
        all.add(gauge("meridian_messages_inflight", "QoS 1 and 2 messages sent and not yet acknowledged", null,
                s.inflightMessages()));
        all.add(gauge("meridian_messages_queued", "Messages waiting in session queues (memory and disk)", null,
                s.queuedMessages()));
        all.add(labelled("meridian_authentication_failures", "Failed logins by method", "method",
                s.authenticationFailures()));
        all.add(labelled("meridian_authorization_denials", "Authorization decisions that denied, by action",
                "action", s.authorizationDenials()));
        all.add(CounterSnapshot.builder().name("meridian_flapping_bans")
                .help("Clients banned by flapping detection (their client id and address)")
                .dataPoint(CounterDataPointSnapshot.builder().value(s.flappingBans()).build()).build());
        plugins(s.pluginCalls(), all);
        io.meridianmq.broker.HistogramSnapshot commits = s.storeCommitLatency();
        if (commits != null) {
            all.add(HistogramSnapshot.builder().name("meridian_store_commit_duration_seconds")
                    .help("How long each commit of the durable store took (fsync included)").unit(Unit.SECONDS)
                    .dataPoint(histogram(commits, Labels.EMPTY)).build());
        }
        io.meridianmq.broker.HistogramSnapshot batches = s.storeCommitBatchSize();
        if (batches != null) {
            all.add(HistogramSnapshot.builder().name("meridian_store_commit_writes")
                    .help("How many writes each commit of the durable store made durable")
                    .dataPoint(histogram(batches, Labels.EMPTY)).build());
            all.add(gauge("meridian_store_failing", "1 while the durable store cannot write (disk full, I/O "
                    + "error): QoS 1/2 messages for persistent sessions are refused until it can", null,
                    s.storeFailing() ? 1 : 0));
            all.add(CounterSnapshot.builder().name("meridian_store_failed_commits")
                    .help("Commits of the durable store that failed (each retry counts)")
                    .dataPoint(CounterDataPointSnapshot.builder().value(s.storeFailedCommits()).build()).build());
        }
    }

    private static HistogramDataPointSnapshot histogram(io.meridianmq.broker.HistogramSnapshot h, Labels labels) {
        double[] bounds = Arrays.copyOf(h.upperBoundsSeconds(), h.upperBoundsSeconds().length + 1);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.bucketCounts()))
                .sum(h.sumSeconds()).labels(labels).build();
    }

    private static void plugins(List<PluginCalls> calls, List<MetricSnapshot> all) {
        HistogramSnapshot.Builder latency = HistogramSnapshot.builder().name("meridian_plugin_call_duration_seconds")
                .help("Time from a plugin call's start to its answer").unit(Unit.SECONDS);
        CounterSnapshot.Builder failures = CounterSnapshot.builder().name("meridian_plugin_call_failures")
                .help("Plugin calls that threw");
        CounterSnapshot.Builder timeouts = CounterSnapshot.builder().name("meridian_plugin_call_timeouts")
                .help("Plugin calls that did not return or resume in time");
        for (PluginCalls c : calls) {
            Labels plugin = Labels.of("plugin", c.name());
            latency.dataPoint(histogram(c.latency(), plugin));
            failures.dataPoint(CounterDataPointSnapshot.builder().value(c.failures()).labels(plugin).build());
            timeouts.dataPoint(CounterDataPointSnapshot.builder().value(c.timeouts()).labels(plugin).build());
        }
        all.add(latency.build());
        all.add(failures.build());
        all.add(timeouts.build());
    }

    private static void connections(ConnectionStatistics s, List<MetricSnapshot> all) {
        GaugeSnapshot.Builder open = GaugeSnapshot.builder().name("meridian_connections")
                .help("Open connections by listener, those before CONNACK included");
        s.connectionsByListener().forEach((listener, n) -> open.dataPoint(gauge(n, "listener", listener)));
        all.add(open.build());
        all.add(labelled("meridian_connects", "CONNECT outcomes: accepted, or the refusal's reason", "outcome",
                s.connects()));
        all.add(labelled("meridian_disconnects", "How accepted connections ended", "reason", s.disconnects()));
        all.add(labelled("meridian_rate_limited", "How often a limit held a client back (its reading paused) or "
                + "refused its CONNECT (overload); rate limiting delays, it drops nothing", "limit", s.rateLimited()));
        all.add(gauge("meridian_overloaded", "1 while the broker is overloaded (new CONNECTs refused, publishers "
                + "slowed), else 0", null, s.overloaded() == null ? 0 : 1));
    }

    /** One family for every drop, whichever layer counted it. */
    private static MetricSnapshot dropped(BrokerStatistics core, ConnectionStatistics protocol) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name("meridian_messages_dropped")
                .help("Messages not delivered to a subscriber or not taken from a publisher, by reason");
        for (DropReason r : DropReason.values()) {
            long n = core == null ? 0 : core.dropped(r);
            if (protocol != null && r == DropReason.TOO_LARGE) {
                n += protocol.droppedTooLarge();
            } else if (protocol != null && r == DropReason.SLOW_READER) {
                n += protocol.droppedSlowReader();
            }
            b.dataPoint(CounterDataPointSnapshot.builder().value(n).labels(Labels.of("reason", r.label())).build());
        }
        return b.build();
    }

    /** What each cluster figure means, for the exposition's help lines. */
    private static final Map<String, String> CLUSTER_HELP = Map.ofEntries(
            Map.entry("members", "Nodes in the cluster, as this node sees it"),
            Map.entry("oldest", "1 when this node is the oldest member (it takes over the sessions of a node that leaves)"),
            Map.entry("accepting", "1 while this node takes clients (0: cut off from the majority of its cluster)"),
            Map.entry("routes_local", "Routes (topic filters and shared groups) of this node's sessions"),
            Map.entry("routes_remote", "Route entries of other nodes known here (one per filter and node)"),
            Map.entry("forwarded_out", "Messages this node forwarded to other nodes (once per node)"),
            Map.entry("forwarded_in", "Messages other nodes forwarded to this node"),
            Map.entry("forwards_unconfirmed", "QoS 1/2 messages forwarded and not yet confirmed by their node"),
            Map.entry("replication_pending", "Batches of persistent sessions not yet confirmed by the cluster (replication lag)"),
            Map.entry("session_copies", "Entries of persistent sessions this node holds for the cluster"),
            Map.entry("wills_kept", "Wills of connected clients this node keeps for the cluster (published if their node dies)"));

    /** One gauge per cluster figure: meridian_cluster_NAME. */
    private static void cluster(Map<String, Long> figures, List<MetricSnapshot> all) {
        figures.forEach((name, value) -> all.add(gauge("meridian_cluster_" + name,
                CLUSTER_HELP.getOrDefault(name, "Cluster figure " + name), null, value)));
    }

    /** Counters and gauges plugins registered through the SDK's PluginMetrics, by their own names. */
    private static MetricSnapshot pluginMetrics(Map<String, Long> metrics) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("meridian_plugin_metric")
                .help("Metrics registered by plugins (PluginMetrics), by name");
        metrics.forEach((name, value) -> {
            if (!name.startsWith("broker.")) {
                b.dataPoint(gauge(value, "name", name));
            }
        });
        return b.build();
    }

    private interface ByQos {
        long of(int qos);
    }

    private static MetricSnapshot byQos(String name, String help, Unit unit, ByQos value) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        if (unit != null) {
            b.unit(unit);
        }
        for (int q = 0; q < QOS.length; q++) {
            b.dataPoint(CounterDataPointSnapshot.builder().value(value.of(q)).labels(Labels.of("qos", QOS[q])).build());
        }
        return b.build();
    }

    private static MetricSnapshot labelled(String name, String help, String label, Map<String, Long> counts) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        counts.forEach((value, n) -> b.dataPoint(
                CounterDataPointSnapshot.builder().value(n).labels(Labels.of(label, value)).build()));
        return b.build();
    }

    private static MetricSnapshot gauge(String name, String help, Unit unit, long value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help).dataPoint(
                GaugeDataPointSnapshot.builder().value(value).build());
        if (unit != null) {
            b.unit(unit);
        }
        return b.build();
    }

    private static GaugeDataPointSnapshot gauge(long value, String label, String labelValue) {
        return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(label, labelValue)).build();
    }
}
