package io.meridianmq.broker;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The broker core, as an OSGi service.
 *
 * <p>Threading: may be called from any thread. The returned stage completes on an arbitrary
 * thread (often the caller's when no plugin goes asynchronous).
 */
@ProviderType
public interface Broker {

    /**
     * Authenticates a CONNECT and, when accepted, attaches the client to its session (creating,
     * resuming or taking over one). Deliveries start only after {@link ClientSession#open()}, so
     * the caller can send CONNACK first.
     */
    CompletionStage<ConnectResult> connect(ConnectRequest request, ClientConnection connection);

    /** What the broker supports now (it may change with the configuration). */
    BrokerCapabilities capabilities();

    /** The broker's and the plugins' metrics by name, as they are now. */
    java.util.SortedMap<String, Long> metrics();

    /** Every plugin service the broker uses, by extension point, with its state. */
    java.util.List<PluginState> plugins();

    /**
     * The core's counters and gauges (messages, sessions, subscriptions, drops, plugins).
     *
     * @since 0.3
     */
    BrokerStatistics statistics();

    /**
     * The banned client ids, user names and addresses.
     *
     * @since 0.3
     */
    Bans bans();

    /**
     * Every session, online and offline, sorted by client id (a moment's view).
     *
     * @since 0.3
     */
    java.util.List<SessionSummary> sessions();

    /**
     * Removes the session of {@code clientId} (its subscriptions, queued messages and stored
     * state, its will published if one waits) when its client is not connected.
     *
     * @return false when there is no such session, or its client is connected
     * @since 0.3
     */
    boolean removeOfflineSession(String clientId);

    /**
     * Completes once the broker takes clients: the container has started every bundle it starts
     * at boot (the security plugins among them), so that a client let in is judged by all of
     * them. The transport opens no listener before.
     *
     * @since 0.2
     */
    CompletionStage<Void> ready();

    /**
     * Completes once clients from beyond this machine would be authenticated: an authentication
     * plugin (the password file, a third-party one) or an enhanced method is installed, or
     * {@code allow_anonymous = true} lets anyone in on purpose. It stays complete.
     *
     * @since 0.2
     */
    CompletionStage<Void> authenticationInPlace();

    /** Whether a plugin implements MQTT 5 enhanced authentication {@code method}. */
    boolean enhancedAuthenticationAvailable(String method);

    /**
     * Starts an enhanced authentication exchange with {@code client} by {@code method}'s
     * plugin, or empty when no plugin implements it (any more).
     */
    java.util.Optional<AuthenticationExchange> beginEnhancedAuthentication(String method,
            io.meridianmq.sdk.client.ClientInfo client);

    /**
     * An MQTT 5 enhanced authentication exchange for {@code request} (with {@code method})
     * failed: counted with the other failed logins (per address and user name, and by method)
     * and reported to the audit plugins. The refusal is to be sent when the answer completes
     * (later after repeated failures).
     *
     * @since 0.3 (with {@code method})
     */
    java.util.concurrent.CompletionStage<Void> enhancedAuthenticationFailed(ConnectRequest request, String method,
            String reason);

    /**
     * The cluster as this node sees it (members, forwarded messages, replication backlog...), by
     * name; empty on a single node.
     *
     * @since 0.6
     */
    default java.util.Map<String, Long> clusterFigures() {
        return java.util.Map.of();
    }

    /**
     * This node's id in its cluster (what health, metrics, the REST API and the console name
     * when they answer for this node only), or null on a single node.
     *
     * @since 0.6
     */
    default String clusterNode() {
        return null;
    }

    /**
     * Why this node of a cluster does not take clients now (cut off from the majority), or null
     * when it does or there is no cluster.
     *
     * @since 0.6
     */
    default String clusterProblem() {
        return null;
    }

    /**
     * The health checks plugins report (a bridge's connection, ...), by name: informational, they
     * never make the broker unready.
     *
     * @since 0.7
     */
    default java.util.List<PluginCheck> pluginChecks() {
        return java.util.List.of();
    }
}
