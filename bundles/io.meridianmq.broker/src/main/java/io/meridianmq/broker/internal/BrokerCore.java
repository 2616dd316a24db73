package io.meridianmq.broker.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.meridianmq.broker.AuthenticationExchange;
import io.meridianmq.broker.Broker;
import io.meridianmq.broker.Bans;
import io.meridianmq.broker.BrokerStatistics;
import io.meridianmq.broker.DropReason;
import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.PluginState;
import io.meridianmq.broker.SessionSummary;
import io.meridianmq.sdk.auth.Authenticator;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.EnhancedAuthenticator;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.event.BrokerEventListener;
import io.meridianmq.sdk.interceptor.ConnectInterceptor;
import io.meridianmq.sdk.interceptor.DisconnectInterceptor;
import io.meridianmq.sdk.interceptor.PublishInboundInterceptor;
import io.meridianmq.sdk.interceptor.PublishOutboundInterceptor;
import io.meridianmq.sdk.interceptor.SubscribeInterceptor;
import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.storage.RetainedMessageStore;
import io.meridianmq.storage.SessionStore;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker core's OSGi component: binds the stores, builds the core's parts
 * ({@link CoreParts}) when activated, follows the plugins of every extension point
 * ({@link PluginTracker}), publishes them as the {@link Broker} service (for the
 * protocol layer) and the {@link BrokerServices} service (for plugins), and applies changed
 * settings live.
 *
 * <p>Activated, modified and deactivated by the component runtime, one at a time; plugins come
 * and go on the framework's threads at any time (the chains are copy-on-write).
 */
@Component(service = Broker.class, configurationPid = "io.meridianmq.broker", immediate = true)
public class BrokerCore implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerCore.class);
    private static final List<String> GAUGES = List.of("broker.clients.connected", "broker.sessions",
            "broker.messages.dropped", "broker.authentication.failures", "broker.plugins.failed_closed");

    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    RetainedMessageStore retained;

    /** Where persistent sessions are kept; its {@code durable()} decides whether anything is written. */
    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    SessionStore store;

    @Reference
    MetricsRegistry metrics;

    /** The health checks plugins report (SDK PluginHealth). */
    @Reference
    PluginChecks pluginChecks;

    /** The cluster this node is part of (the meridian-cluster feature), or null for a single node. */
    private volatile io.meridianmq.cluster.ClusterFabric cluster;

    @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindCluster(io.meridianmq.cluster.ClusterFabric fabric) {
        cluster = fabric;
        CoreParts parts = core;
        if (parts != null) {
            parts.cluster.use(fabric);
        }
    }

    void unbindCluster(io.meridianmq.cluster.ClusterFabric fabric) {
        if (cluster == fabric) {
            cluster = null;
            CoreParts parts = core;
            if (parts != null) {
                parts.cluster.use(null);
            }
        }
    }

    final PluginHost plugins = new PluginHost();
    final BrokerEvents events = new BrokerEvents();
    /** How long a plugin callback may run before its fallback applies (shorter in tests). */
    Duration pluginCallTimeout = PluginInvoker.CALL_TIMEOUT;
    /** The broker bundle's version, for the start line; set at activation. */
    private String version = "(outside a framework)";

    /** Built at activation, dropped at deactivation (the component runtime's thread). */
    private volatile CoreParts core;
    private ConnectFlow connects;
    private PluginServices services;
    private volatile BrokerStatistics statistics;
    private BundleContext bundleContext;
    private ServiceRegistration<BrokerServices> servicesRegistration;
    /** Whether the container's boot is done; replaced at activation in a framework. */
    private volatile FrameworkBoot boot = FrameworkBoot.finished();
    private final CompletableFuture<Void> authenticationInPlace = new CompletableFuture<>();

    /** The plugin trackers of the running core, one per extension point; opened and closed by activation. */
    private final List<PluginTracker<?>> trackers = new ArrayList<>();
    /** The capabilities connections are given, kept while the settings say the same. Any thread. */
    private volatile BrokerCapabilities capabilities;

    /** Follows every extension point's plugins (their services, from any bundle, this one's default authenticator too). */
    private void trackPlugins(BundleContext context) {
        track(context, Authenticator.class, plugins.authenticators, p -> "Authentication plugin");
        track(context, EnhancedAuthenticator.class, plugins.enhancedAuthenticators,
                p -> "Enhanced authentication method " + p.method());
        track(context, Authorizer.class, plugins.authorizers, p -> "Authorization plugin");
        track(context, PublishInboundInterceptor.class, plugins.inboundInterceptors, p -> "Inbound PUBLISH interceptor");
        track(context, PublishOutboundInterceptor.class, plugins.outboundInterceptors,
                p -> "Outbound PUBLISH interceptor");
        track(context, SubscribeInterceptor.class, plugins.subscribeInterceptors, p -> "SUBSCRIBE interceptor");
        track(context, ConnectInterceptor.class, plugins.connectInterceptors, p -> "CONNECT interceptor");
        track(context, DisconnectInterceptor.class, plugins.disconnectInterceptors, p -> "DISCONNECT interceptor");
        track(context, BrokerEventListener.class, events.listeners, p -> "Event listener");
    }

    private <T> void track(BundleContext context, Class<T> type, PluginChain<T> chain,
            java.util.function.Function<T, String> kind) {
        PluginTracker<T> tracker = new PluginTracker<>(context, type, plugins, chain, kind,
                this::checkAuthenticationInPlace);
        tracker.open();
        trackers.add(tracker);
    }

    // ---- life cycle ----

    /**
     * Starts the core in the framework. Not named {@code activate}: DS would pick the overload
     * taking only the map (a one-argument method wins) and never register the services.
     */
    @Activate
    void activateInFramework(BundleContext context, Map<String, Object> config) {
        bundleContext = context;
        version = context.getBundle().getVersion().toString();
        plugins.stopped.watch(context);
        activate(config);
        trackPlugins(context);
        FrameworkBoot watching = new FrameworkBoot();
        watching.watch(context, core.threads.timers());
        boot = watching;
        servicesRegistration = context.registerService(BrokerServices.class, services, null);
    }

    /** Starts the core (tests call this directly, without a framework). */
    void activate(Map<String, Object> config) {
        BrokerSettings settings = BrokerSettings.from(config, BrokerSettings.DEFAULTS);
        CoreParts parts = new CoreParts(settings, store, retained, plugins, events, metrics, newThreads());
        plugins.start(new PluginInvoker(parts.threads.timers(), pluginCallTimeout, plugins.figures));
        connects = new ConnectFlow(parts);
        services = new PluginServices(parts, connects);
        statistics = new CoreStatistics(parts, connects);
        parts.retained.start(metrics);
        events.start();
        core = parts;
        if (parts.durable) {
            long started = System.nanoTime();
            int n = parts.registry.recover();
            LOG.info("{} persistent session(s) restored in {} ms", n, (System.nanoTime() - started) / 1_000_000);
        }
        if (metrics != null) {
            SessionRegistry registry = parts.registry;
            metrics.gauge("broker.clients.connected",
                    () -> registry.sessions().stream().filter(x -> x.owner != null).count());
            metrics.gauge("broker.sessions", registry::size);
            metrics.gauge("broker.messages.dropped", this::droppedMessages);
            metrics.gauge("broker.authentication.failures", connects::failedLogins);
            metrics.gauge("broker.plugins.failed_closed", plugins::failedClosedCount);
        }
        checkAuthenticationInPlace();
        parts.cluster.use(cluster);
        LOG.info("Meridian {} broker core started: {}", version, settings.describe());
    }

    /** The threads a new core runs on; tests override it to run offline sessions inline. */
    CoreThreads newThreads() {
        return new CoreThreads();
    }

    @Modified
    void modified(Map<String, Object> config) {
        BrokerSettings settings = BrokerSettings.from(config, core.settings());
        core.settings(settings);
        checkAuthenticationInPlace();
        LOG.info("Broker settings now in force: {}", settings.describe());
    }

    @Deactivate
    void deactivate() {
        trackers.forEach(PluginTracker::close);
        trackers.clear();
        if (servicesRegistration != null) {
            servicesRegistration.unregister();
            servicesRegistration = null;
        }
        boot.stop();
        CoreParts parts = core;
        parts.cluster.use(null);
        parts.retained.stop(metrics);
        if (bundleContext != null) {
            plugins.stopped.stop(bundleContext);
        }
        events.stop();
        plugins.stop();
        if (metrics != null) {
            GAUGES.forEach(metrics::remove);
        }
        parts.threads.stop();
        LOG.info("Meridian broker core stopped");
    }

    // ---- the Broker service ----

    @Override
    public CompletionStage<ConnectResult> connect(ConnectRequest request, ClientConnection connection) {
        return connects.connect(request, connection);
    }

    @Override
    public CompletionStage<Void> enhancedAuthenticationFailed(ConnectRequest request, String method, String reason) {
        return connects.enhancedAuthenticationFailed(request, method, reason);
    }

    @Override
    public BrokerCapabilities capabilities() {
        BrokerSettings s = core.settings();
        BrokerCapabilities c = capabilities;
        if (c == null || c.maximumQos() != s.maximumQos() || c.retainAvailable() != s.retainAvailable()) {
            c = new BrokerCapabilities(s.maximumQos(), s.retainAvailable());
            capabilities = c; // one instance for every connection until the settings change
        }
        return c;
    }

    @Override
    public CompletionStage<Void> ready() {
        return boot.done().minimalCompletionStage();
    }

    @Override
    public CompletionStage<Void> authenticationInPlace() {
        return authenticationInPlace.minimalCompletionStage();
    }

    /** Completes {@link #authenticationInPlace} when an authenticator or the anonymous policy now guards. */
    private void checkAuthenticationInPlace() {
        CoreParts parts = core;
        if (plugins.authenticationConfigured()
                || parts != null && parts.settings().allowAnonymous() == BrokerSettings.AnonymousPolicy.TRUE) {
            authenticationInPlace.complete(null);
        }
    }

    @Override
    public boolean enhancedAuthenticationAvailable(String method) {
        return plugins.enhancedAuthenticationAvailable(method);
    }

    @Override
    public Optional<AuthenticationExchange> beginEnhancedAuthentication(String method, ClientInfo client) {
        return plugins.beginEnhancedAuthentication(method, client);
    }

    @Override
    public List<io.meridianmq.broker.PluginCheck> pluginChecks() {
        PluginChecks c = pluginChecks;
        return c == null ? List.of() : c.all();
    }

    @Override
    public Map<String, Long> clusterFigures() {
        CoreParts parts = core;
        return parts == null ? Map.of() : parts.cluster.figures();
    }

    @Override
    public String clusterNode() {
        CoreParts parts = core;
        return parts == null ? null : parts.cluster.nodeId();
    }

    @Override
    public String clusterProblem() {
        CoreParts parts = core;
        return parts == null || parts.cluster.accepting() ? null
                : "this node is cut off from the majority of its cluster (fewer members than min_cluster_size): "
                        + "new clients are refused";
    }

    @Override
    public SortedMap<String, Long> metrics() {
        return metrics == null ? new TreeMap<>() : metrics.snapshot();
    }

    @Override
    public BrokerStatistics statistics() {
        return statistics;
    }

    @Override
    public Bans bans() {
        return core.bans;
    }

    @Override
    public boolean removeOfflineSession(String clientId) {
        return core.registry.removeOffline(clientId);
    }

    @Override
    public List<SessionSummary> sessions() {
        List<SessionSummary> all = new java.util.ArrayList<>();
        for (Session s : core.registry.sessions()) {
            all.add(new SessionSummary(s.clientId, s.isOnline(), s.subscriptionSnapshot().size(), s.queuedCount(),
                    s.inflightCount()));
        }
        all.sort(java.util.Comparator.comparing(SessionSummary::clientId));
        return all;
    }

    @Override
    public List<PluginState> plugins() {
        List<PluginState> all = plugins.describe();
        events.listeners.describe("event listener", all);
        return all;
    }

    // ---- for tests ----

    /** The broker as plugins see it. */
    BrokerServices services() {
        return services;
    }

    CoreParts parts() {
        return core;
    }

    long droppedMessages() {
        // what the queues lost: full, or a shared message with no member left to take it
        return core.traffic.droppedFor(DropReason.QUEUE_FULL) + core.traffic.droppedFor(DropReason.NO_SUBSCRIBER_LEFT);
    }

    int sessionCount() {
        return core.registry.size();
    }
}
