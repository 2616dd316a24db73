package io.meridianmq.broker.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.meridianmq.broker.AuthenticationExchange;
import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.PluginState;
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
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker core's OSGi component: binds the stores and the plugins, builds the core's parts
 * ({@link CoreParts}) when activated, publishes them as the {@link Broker} service (for the
 * protocol layer) and the {@link BrokerServices} service (for plugins), and applies changed
 * settings live.
 *
 * <p>Activated, modified and deactivated by the component runtime, one at a time; plugins are
 * bound and unbound on the framework's threads at any time (the chains are copy-on-write).
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
    private BundleContext bundleContext;
    private ServiceRegistration<BrokerServices> servicesRegistration;
    /** Whether the container's boot is done; replaced at activation in a framework. */
    private volatile FrameworkBoot boot = FrameworkBoot.finished();
    private final CompletableFuture<Void> authenticationInPlace = new CompletableFuture<>();

    // ---- plugins, bound by the framework ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAuthenticator")
    void addAuthenticator(ServiceReference<Authenticator> reference, Authenticator plugin) {
        plugins.add(plugins.authenticators, "Authentication plugin", reference, plugin);
        checkAuthenticationInPlace();
    }

    void removeAuthenticator(Authenticator plugin) {
        plugins.remove(plugins.authenticators, "Authentication plugin", plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeEnhancedAuthenticator")
    void addEnhancedAuthenticator(ServiceReference<EnhancedAuthenticator> reference, EnhancedAuthenticator plugin) {
        plugins.add(plugins.enhancedAuthenticators, "Enhanced authentication method " + plugin.method(), reference,
                plugin);
        checkAuthenticationInPlace();
    }

    void removeEnhancedAuthenticator(EnhancedAuthenticator plugin) {
        plugins.remove(plugins.enhancedAuthenticators, "Enhanced authentication method", plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAuthorizer")
    void addAuthorizer(ServiceReference<Authorizer> reference, Authorizer plugin) {
        plugins.add(plugins.authorizers, "Authorization plugin", reference, plugin);
    }

    void removeAuthorizer(Authorizer plugin) {
        plugins.remove(plugins.authorizers, "Authorization plugin", plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeInboundInterceptor")
    void addInboundInterceptor(ServiceReference<PublishInboundInterceptor> reference, PublishInboundInterceptor plugin) {
        plugins.add(plugins.inboundInterceptors, "Inbound PUBLISH interceptor", reference, plugin);
    }

    void removeInboundInterceptor(PublishInboundInterceptor plugin) {
        plugins.remove(plugins.inboundInterceptors, "Inbound PUBLISH interceptor", plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeOutboundInterceptor")
    void addOutboundInterceptor(ServiceReference<PublishOutboundInterceptor> reference,
            PublishOutboundInterceptor plugin) {
        plugins.add(plugins.outboundInterceptors, "Outbound PUBLISH interceptor", reference, plugin);
    }

    void removeOutboundInterceptor(PublishOutboundInterceptor plugin) {
        plugins.remove(plugins.outboundInterceptors, "Outbound PUBLISH interceptor", plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeSubscribeInterceptor")
    void addSubscribeInterceptor(ServiceReference<SubscribeInterceptor> reference, SubscribeInterceptor plugin) {
        plugins.add(plugins.subscribeInterceptors, "SUBSCRIBE interceptor", reference, plugin);
    }

    void removeSubscribeInterceptor(SubscribeInterceptor plugin) {
        plugins.remove(plugins.subscribeInterceptors, "SUBSCRIBE interceptor", plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeConnectInterceptor")
    void addConnectInterceptor(ServiceReference<ConnectInterceptor> reference, ConnectInterceptor plugin) {
        plugins.add(plugins.connectInterceptors, "CONNECT interceptor", reference, plugin);
    }

    void removeConnectInterceptor(ConnectInterceptor plugin) {
        plugins.remove(plugins.connectInterceptors, "CONNECT interceptor", plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeDisconnectInterceptor")
    void addDisconnectInterceptor(ServiceReference<DisconnectInterceptor> reference, DisconnectInterceptor plugin) {
        plugins.add(plugins.disconnectInterceptors, "DISCONNECT interceptor", reference, plugin);
    }

    void removeDisconnectInterceptor(DisconnectInterceptor plugin) {
        plugins.remove(plugins.disconnectInterceptors, "DISCONNECT interceptor", plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeEventListener")
    void addEventListener(ServiceReference<BrokerEventListener> reference, BrokerEventListener plugin) {
        plugins.add(events.listeners, "Event listener", reference, plugin);
    }

    void removeEventListener(BrokerEventListener plugin) {
        plugins.remove(events.listeners, "Event listener", plugin);
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
        FrameworkBoot watching = new FrameworkBoot();
        watching.watch(context, core.threads.timers());
        boot = watching;
        servicesRegistration = context.registerService(BrokerServices.class, services, null);
    }

    /** Starts the core (tests call this directly, without a framework). */
    void activate(Map<String, Object> config) {
        BrokerSettings settings = BrokerSettings.from(config, BrokerSettings.DEFAULTS);
        CoreParts parts = new CoreParts(settings, store, retained, plugins, events, metrics, newThreads());
        plugins.start(new PluginInvoker(parts.threads.timers(), pluginCallTimeout));
        connects = new ConnectFlow(parts);
        services = new PluginServices(parts);
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
            metrics.gauge("broker.messages.dropped", parts.router::droppedMessages);
            metrics.gauge("broker.authentication.failures", connects::failedLogins);
            metrics.gauge("broker.plugins.failed_closed", plugins::failedClosedCount);
        }
        checkAuthenticationInPlace();
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
        if (servicesRegistration != null) {
            servicesRegistration.unregister();
            servicesRegistration = null;
        }
        boot.stop();
        CoreParts parts = core;
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
    public CompletionStage<Void> enhancedAuthenticationFailed(ConnectRequest request, String reason) {
        return connects.enhancedAuthenticationFailed(request, reason);
    }

    @Override
    public BrokerCapabilities capabilities() {
        BrokerSettings s = core.settings();
        return new BrokerCapabilities(s.maximumQos(), s.retainAvailable());
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
    public SortedMap<String, Long> metrics() {
        return metrics == null ? new TreeMap<>() : metrics.snapshot();
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
        return core.router.droppedMessages();
    }

    int sessionCount() {
        return core.registry.size();
    }
}
