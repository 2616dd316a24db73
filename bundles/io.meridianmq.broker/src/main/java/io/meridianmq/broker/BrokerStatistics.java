package io.meridianmq.broker;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The broker core's figures for operators (Prometheus, {@code $SYS}, the console): counters
 * only grow while the broker runs; gauges are as they are now. Counting never takes a lock:
 * each counter is a {@link java.util.concurrent.atomic.LongAdder}, read when asked.
 *
 * <p>Threading: any thread; a figure read while messages flow may be a moment old.
 *
 * @since 0.3
 */
@ProviderType
public interface BrokerStatistics {

    /** PUBLISH packets taken from clients at {@code qos} (0, 1 or 2), counted as they arrive. */
    long messagesReceived(int qos);

    /** Payload bytes of {@link #messagesReceived}. */
    long bytesReceived(int qos);

    /** PUBLISH packets written to subscribers at {@code qos}, resends included. */
    long messagesSent(int qos);

    /** Payload bytes of {@link #messagesSent}. */
    long bytesSent(int qos);

    /** Messages dropped for {@code reason} (the protocol layer counts {@link DropReason#SLOW_READER} and too-large ones itself). */
    long dropped(DropReason reason);

    /** Sessions with a connection attached. */
    long sessionsOnline();

    /** Sessions kept for a client that is not connected. */
    long sessionsOffline();

    /** Subscriptions of every session, shared ones included. */
    long subscriptions();

    /** Of {@link #subscriptions()}, those in a shared group. */
    long sharedSubscriptions();

    long retainedMessages();

    long retainedBytes();

    /** QoS 1 and 2 messages sent and not yet acknowledged, over all sessions. */
    long inflightMessages();

    /** Messages waiting in sessions' queues (in memory or paged to disk). */
    long queuedMessages();

    /** Payload bytes of {@link #queuedMessages()}. */
    long queuedBytes();

    /** Sessions whose expiry interval passed while their client was away, since the broker started. */
    long sessionsExpired();

    /** Failed logins by method: {@code password} (CONNECT's credentials), {@code anonymous}, or the enhanced authentication method. */
    Map<String, Long> authenticationFailures();

    /** Decisions an authorizer denied, by action: {@code publish}, {@code subscribe}. */
    Map<String, Long> authorizationDenials();

    /** Each plugin's calls: latency, failures, timeouts. */
    List<PluginCalls> pluginCalls();

    /** How long the store's commits take, in seconds; null when the store keeps nothing on disk. */
    HistogramSnapshot storeCommitLatency();

    /** How many writes each store commit made durable; null when the store keeps nothing on disk. */
    HistogramSnapshot storeCommitBatchSize();

    /**
     * Whether the store cannot write at the moment (QoS 1/2 messages for persistent sessions are
     * refused until it can).
     *
     * @since 0.5
     */
    default boolean storeFailing() {
        return false;
    }

    /**
     * Store commits that failed since start.
     *
     * @since 0.5
     */
    default long storeFailedCommits() {
        return 0;
    }

    /**
     * How often flapping detection banned a client (its client id and address) since start.
     *
     * @since 0.4
     */
    default long flappingBans() {
        return 0;
    }
}
