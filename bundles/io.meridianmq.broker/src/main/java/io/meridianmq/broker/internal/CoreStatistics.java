package io.meridianmq.broker.internal;

import java.util.List;
import java.util.Map;

import io.meridianmq.broker.BrokerStatistics;
import io.meridianmq.broker.DropReason;
import io.meridianmq.broker.HistogramSnapshot;
import io.meridianmq.broker.PluginCalls;
import io.meridianmq.storage.BucketCounts;

/**
 * The broker core's {@link BrokerStatistics}: the counters the core keeps as it works
 * ({@link Traffic}, failed logins, denials, plugin calls) and gauges read from its parts when
 * asked (sessions, subscriptions, retained messages, in-flight and queued messages).
 *
 * <p>Threading: any thread; the gauges over sessions read what each session publishes for
 * other threads, so they cost one pass over the sessions per call, nothing on the message path.
 */
final class CoreStatistics implements BrokerStatistics {

    private final CoreParts core;
    private final ConnectFlow connects;

    CoreStatistics(CoreParts core, ConnectFlow connects) {
        this.core = core;
        this.connects = connects;
    }

    @Override
    public long messagesReceived(int qos) {
        return core.traffic.received(qos);
    }

    @Override
    public long bytesReceived(int qos) {
        return core.traffic.receivedBytes(qos);
    }

    @Override
    public long messagesSent(int qos) {
        return core.traffic.sent(qos);
    }

    @Override
    public long bytesSent(int qos) {
        return core.traffic.sentBytes(qos);
    }

    @Override
    public long dropped(DropReason reason) {
        return core.traffic.droppedFor(reason);
    }

    @Override
    public long sessionsOnline() {
        return core.registry.sessions().stream().filter(Session::isOnline).count();
    }

    @Override
    public long sessionsOffline() {
        return core.registry.sessions().stream().filter(s -> !s.isOnline()).count();
    }

    @Override
    public long subscriptions() {
        return core.registry.sessions().stream().mapToLong(s -> s.subscriptionSnapshot().size()).sum();
    }

    @Override
    public long sharedSubscriptions() {
        // the snapshot's keys name the group of a shared subscription ($share/group/filter)
        return core.registry.sessions().stream()
                .mapToLong(s -> s.subscriptionSnapshot().keySet().stream().filter(SessionSubscriptions::isShared).count())
                .sum();
    }

    @Override
    public long retainedMessages() {
        return core.retained.size();
    }

    @Override
    public long retainedBytes() {
        return core.retained.bytes();
    }

    @Override
    public long inflightMessages() {
        return core.registry.sessions().stream().mapToLong(Session::inflightCount).sum();
    }

    @Override
    public long queuedMessages() {
        return core.registry.sessions().stream().mapToLong(Session::queuedCount).sum();
    }

    @Override
    public long queuedBytes() {
        return core.registry.sessions().stream().mapToLong(Session::queuedBytes).sum();
    }

    @Override
    public long sessionsExpired() {
        return core.registry.expiredCount();
    }

    @Override
    public long flappingBans() {
        return core.flapping.bansIssued();
    }

    @Override
    public Map<String, Long> authenticationFailures() {
        return connects.failuresByMethod();
    }

    @Override
    public Map<String, Long> authorizationDenials() {
        return core.plugins.denials();
    }

    @Override
    public List<PluginCalls> pluginCalls() {
        return core.plugins.calls();
    }

    @Override
    public HistogramSnapshot storeCommitLatency() {
        BucketCounts b = core.store.commitLatency();
        return b == null ? null : snapshot(b);
    }

    @Override
    public HistogramSnapshot storeCommitBatchSize() {
        BucketCounts b = core.store.commitBatchSize();
        return b == null ? null : snapshot(b);
    }

    @Override
    public boolean storeFailing() {
        return core.store.failing();
    }

    @Override
    public long storeFailedCommits() {
        return core.store.failedCommits();
    }

    static HistogramSnapshot snapshot(BucketCounts b) {
        return new HistogramSnapshot(b.upperBounds(), b.counts(), b.sum());
    }
}
