package io.meridianmq.broker.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.ConnectReturnCode;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.Authenticator;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.EnhancedAuthenticator;
import io.meridianmq.sdk.auth.PublishAuthorizationInput;
import io.meridianmq.sdk.auth.SubscribeAuthorizationInput;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.event.BrokerEventListener;
import io.meridianmq.sdk.interceptor.ConnectInput;
import io.meridianmq.sdk.interceptor.ConnectInterceptor;
import io.meridianmq.sdk.interceptor.DisconnectInput;
import io.meridianmq.sdk.interceptor.DisconnectInterceptor;
import io.meridianmq.sdk.interceptor.PublishInboundInput;
import io.meridianmq.sdk.interceptor.PublishInboundInterceptor;
import io.meridianmq.sdk.interceptor.PublishOutboundInput;
import io.meridianmq.sdk.interceptor.PublishOutboundInterceptor;
import io.meridianmq.sdk.interceptor.SubscribeInput;
import io.meridianmq.sdk.interceptor.SubscribeInterceptor;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.RetainedMessageStore;
import io.meridianmq.storage.SessionStore;

import org.osgi.framework.ServiceReference;
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
 * The broker core: the session registry, the subscription tree and routing. Authentication and
 * authorization are delegated to SDK plugins (first-party ones included), ordered by ranking.
 */
@Component(service = {Broker.class, BrokerServices.class}, configurationPid = "io.meridianmq.broker", immediate = true)
public class BrokerCore implements Broker, BrokerServices {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerCore.class);

    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    RetainedMessageStore retained;

    /** Where persistent sessions are kept; its {@code durable()} decides whether anything is written. */
    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    SessionStore store;

    final PluginChain<Authenticator> authenticators = new PluginChain<>();
    final PluginChain<Authorizer> authorizers = new PluginChain<>();
    final PluginChain<PublishInboundInterceptor> inboundInterceptors = new PluginChain<>();
    final PluginChain<EnhancedAuthenticator> enhancedAuthenticators = new PluginChain<>();
    final PluginChain<PublishOutboundInterceptor> outboundInterceptors = new PluginChain<>();
    final PluginChain<SubscribeInterceptor> subscribeInterceptors = new PluginChain<>();
    final PluginChain<ConnectInterceptor> connectInterceptors = new PluginChain<>();
    final PluginChain<DisconnectInterceptor> disconnectInterceptors = new PluginChain<>();

    @Reference
    MetricsRegistry metrics;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeConnectInterceptor")
    void addConnectInterceptor(ServiceReference<ConnectInterceptor> reference, ConnectInterceptor plugin) {
        connectInterceptors.add(reference, plugin);
        LOG.info("CONNECT interceptor added: {}", name(reference, plugin));
    }

    void removeConnectInterceptor(ConnectInterceptor plugin) {
        connectInterceptors.remove(plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeDisconnectInterceptor")
    void addDisconnectInterceptor(ServiceReference<DisconnectInterceptor> reference, DisconnectInterceptor plugin) {
        disconnectInterceptors.add(reference, plugin);
        LOG.info("DISCONNECT interceptor added: {}", name(reference, plugin));
    }

    void removeDisconnectInterceptor(DisconnectInterceptor plugin) {
        disconnectInterceptors.remove(plugin);
    }
    final BrokerEvents events = new BrokerEvents();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAuthenticator")
    void addAuthenticator(ServiceReference<Authenticator> reference, Authenticator plugin) {
        authenticators.add(reference, plugin);
        LOG.info("Authentication plugin added: {}", name(reference, plugin));
    }

    void removeAuthenticator(Authenticator plugin) {
        authenticators.remove(plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAuthorizer")
    void addAuthorizer(ServiceReference<Authorizer> reference, Authorizer plugin) {
        authorizers.add(reference, plugin);
        LOG.info("Authorization plugin added: {}", name(reference, plugin));
    }

    void removeAuthorizer(Authorizer plugin) {
        authorizers.remove(plugin);
        LOG.info("Authorization plugin removed: {}", plugin.getClass().getName());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeInboundInterceptor")
    void addInboundInterceptor(ServiceReference<PublishInboundInterceptor> reference, PublishInboundInterceptor plugin) {
        inboundInterceptors.add(reference, plugin);
        LOG.info("Inbound PUBLISH interceptor added: {}", name(reference, plugin));
    }

    void removeInboundInterceptor(PublishInboundInterceptor plugin) {
        inboundInterceptors.remove(plugin);
        LOG.info("Inbound PUBLISH interceptor removed: {}", plugin.getClass().getName());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeOutboundInterceptor")
    void addOutboundInterceptor(ServiceReference<PublishOutboundInterceptor> reference, PublishOutboundInterceptor plugin) {
        outboundInterceptors.add(reference, plugin);
        LOG.info("Outbound PUBLISH interceptor added: {}", name(reference, plugin));
    }

    void removeOutboundInterceptor(PublishOutboundInterceptor plugin) {
        outboundInterceptors.remove(plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeSubscribeInterceptor")
    void addSubscribeInterceptor(ServiceReference<SubscribeInterceptor> reference, SubscribeInterceptor plugin) {
        subscribeInterceptors.add(reference, plugin);
        LOG.info("SUBSCRIBE interceptor added: {}", name(reference, plugin));
    }

    void removeSubscribeInterceptor(SubscribeInterceptor plugin) {
        subscribeInterceptors.remove(plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeEnhancedAuthenticator")
    void addEnhancedAuthenticator(ServiceReference<EnhancedAuthenticator> reference, EnhancedAuthenticator plugin) {
        enhancedAuthenticators.add(reference, plugin);
        LOG.info("Enhanced authentication method {} added: {}", plugin.method(), name(reference, plugin));
    }

    void removeEnhancedAuthenticator(EnhancedAuthenticator plugin) {
        enhancedAuthenticators.remove(plugin);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeEventListener")
    void addEventListener(ServiceReference<BrokerEventListener> reference, BrokerEventListener plugin) {
        events.listeners.add(reference, plugin);
        LOG.info("Event listener added: {}", name(reference, plugin));
    }

    void removeEventListener(BrokerEventListener plugin) {
        events.listeners.remove(plugin);
    }

    private static String name(ServiceReference<?> reference, Object plugin) {
        org.osgi.framework.Bundle b = reference.getBundle();
        return (b == null ? "?" : b.getSymbolicName() + " " + b.getVersion()) + " (" + plugin.getClass().getName() + ")";
    }

    private PluginInvoker invoker;
    /** How long a plugin callback may run before its fallback applies (shorter in tests). */
    Duration pluginCallTimeout = PluginInvoker.CALL_TIMEOUT;

    private final SubscriptionTree subscriptions = new SubscriptionTree();
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    /** Serialises connects, takeovers, disconnects and expiry; never taken on the publish path. */
    private final Object registryLock = new Object();
    private final AtomicLong droppedMessages = new AtomicLong();
    private final FailedLogins failedLogins = new FailedLogins();
    /** Decisions denied because the security plugin that should have made them is disabled. */
    private final java.util.concurrent.atomic.AtomicLong failedClosed = new java.util.concurrent.atomic.AtomicLong();
    /** Store keys of queued messages: unique and increasing over all sessions. */
    private final AtomicLong sequences = new AtomicLong();
    private boolean durable;
    private volatile BrokerSettings settings = BrokerSettings.DEFAULTS;
    private ExecutorService[] offlineExecutors;
    private ScheduledExecutorService timers;
    /** Retained messages against their limits; set at activation. */
    private RetainedQuota retainedQuota;
    /** Threads for scans of the retained store; set at activation. */
    private ExecutorService retainedScans;
    private ScheduledFuture<?> retainedRecount;

    /** Security plugins whose bundles are installed but stopped: they deny until removed. */
    final StoppedSecurityPlugins stoppedPlugins = new StoppedSecurityPlugins();
    private org.osgi.framework.BundleContext bundleContext;

    @Activate
    void activate(org.osgi.framework.BundleContext context, Map<String, Object> config) {
        bundleContext = context;
        stoppedPlugins.watch(context);
        activate(config);
    }

    /** Starts the core (tests call this directly, without a framework). */
    void activate(Map<String, Object> config) {
        settings = BrokerSettings.from(config, BrokerSettings.DEFAULTS);
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        offlineExecutors = new ExecutorService[threads];
        AtomicInteger n = new AtomicInteger();
        for (int i = 0; i < threads; i++) {
            offlineExecutors[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "meridian-offline-sessions-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-timers");
            t.setDaemon(true);
            return t;
        });
        invoker = new PluginInvoker(timers, pluginCallTimeout);
        retainedQuota = new RetainedQuota(retained);
        AtomicInteger scanThreads = new AtomicInteger();
        // scans of the retained store (a SUBSCRIBE to '#' reads all of it) never run on a network thread
        retainedScans = new java.util.concurrent.ThreadPoolExecutor(1, 2, 60, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(10_000), r -> {
                    Thread t = new Thread(r, "meridian-retained-" + scanThreads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        retainedScans.execute(retainedQuota::recount);
        retainedRecount = timers.scheduleWithFixedDelay(() -> retainedScans.execute(retainedQuota::recount), 60, 60,
                TimeUnit.SECONDS);
        events.start();
        durable = store.durable();
        if (durable) {
            recover();
        }
        if (metrics != null) {
            metrics.gauge("broker.clients.connected", () -> sessions.values().stream().filter(x -> x.owner != null).count());
            metrics.gauge("broker.sessions", sessions::size);
            metrics.gauge("broker.messages.dropped", droppedMessages::get);
            metrics.gauge("broker.authentication.failures", failedLogins::total);
            metrics.gauge("broker.plugins.failed_closed", failedClosed::get);
            metrics.gauge("broker.retained.messages", () -> retained.size());
            metrics.gauge("broker.retained.bytes", retainedQuota::bytes);
        }
        LOG.info("Meridian broker core started: {}", settings.describe());
    }

    @Modified
    void modified(Map<String, Object> config) {
        settings = BrokerSettings.from(config, settings);
        LOG.info("Broker settings now in force: {}", settings.describe());
    }

    @Deactivate
    void deactivate() {
        if (retainedRecount != null) {
            retainedRecount.cancel(false);
        }
        if (retainedScans != null) {
            retainedScans.shutdownNow();
        }
        if (bundleContext != null) {
            stoppedPlugins.stop(bundleContext);
        }
        events.stop();
        invoker.shutdown();
        if (metrics != null) {
            for (String m : List.of("broker.clients.connected", "broker.sessions", "broker.messages.dropped",
                    "broker.authentication.failures",
                    "broker.retained.messages")) {
                metrics.remove(m);
            }
        }
        timers.shutdownNow();
        for (ExecutorService e : offlineExecutors) {
            e.shutdown();
        }
        for (ExecutorService e : offlineExecutors) {
            try {
                e.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("Meridian broker core stopped");
    }

    /** Rebuilds the persistent sessions the store kept; they start offline and expire as they would have. */
    private void recover() {
        long started = System.nanoTime();
        long now = System.currentTimeMillis();
        AtomicInteger count = new AtomicInteger();
        long highest = store.recover(r -> {
            Session session = new Session(r.clientId(), r.expirySeconds(), this);
            session.ownerKey = r.owner(); // before anyone can connect to it
            sessions.put(r.clientId(), session);
            session.submit(() -> session.restore(r, now));
            count.incrementAndGet();
        });
        sequences.set(highest);
        LOG.info("{} persistent session(s) restored in {} ms", count.get(), (System.nanoTime() - started) / 1_000_000);
    }

    // ---- used by sessions and handles ----

    SessionStore store() {
        return store;
    }

    boolean durable() {
        return durable;
    }

    long nextSequence() {
        return sequences.incrementAndGet();
    }

    BrokerSettings settings() {
        return settings;
    }

    SubscriptionTree subscriptions() {
        return subscriptions;
    }

    Executor offlineExecutor(String clientId) {
        return offlineExecutors[Math.floorMod(clientId.hashCode(), offlineExecutors.length)];
    }

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return timers.schedule(task, delay, unit);
    }

    void countDropped() {
        droppedMessages.incrementAndGet();
    }

    long droppedMessages() {
        return droppedMessages.get();
    }

    RetainedMessageStore retained() {
        return retained;
    }

    /**
     * Runs a scan of the retained store off the network threads; when the scan threads are
     * saturated (a flood of wildcard subscriptions) the scan is skipped, logged, and returns false.
     */
    boolean scanRetained(Runnable scan) {
        try {
            retainedScans.execute(scan);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("Retained messages not sent for a subscription: 10,000 scans of the retained store are waiting");
            return false;
        }
    }

    /**
     * Why a PUBLISH is over the limits on stored state (the topic's length or levels; for a
     * retained one the retained messages' count or bytes), or null when it is within them.
     */
    String publishOverLimits(String topic, boolean retain, int payloadLength) {
        BrokerSettings.StateLimits limits = settings.limits();
        String problem = limits.topicProblem(topic);
        if (problem != null || !retain) {
            return problem;
        }
        return retainedQuota.refusal(topic, payloadLength, limits);
    }

    @Override
    public BrokerCapabilities capabilities() {
        BrokerSettings s = settings;
        return new BrokerCapabilities(s.maximumQos(), s.retainAvailable());
    }

    @Override
    public boolean authenticationConfigured() {
        if (!enhancedAuthenticators.isEmpty()) {
            return true;
        }
        for (Plugin<Authenticator> p : authenticators.all()) {
            if (p.isEnabled() && !(p.service instanceof AnonymousAuthenticator)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean anonymousAllowedEverywhere() {
        return settings.allowAnonymous() == BrokerSettings.AnonymousPolicy.TRUE;
    }

    @Override
    public boolean enhancedAuthenticationAvailable(String method) {
        for (Plugin<EnhancedAuthenticator> p : enhancedAuthenticators.all()) {
            if (method.equals(p.service.method())) {
                return true; // a disabled one too: its exchange fails closed, with a reason
            }
        }
        return false;
    }

    @Override
    public Optional<io.meridianmq.broker.AuthenticationExchange> beginEnhancedAuthentication(String method,
            ClientInfo client) {
        for (Plugin<EnhancedAuthenticator> p : enhancedAuthenticators.all()) {
            if (method.equals(p.service.method())) {
                return Optional.of(new PluginAuthenticationExchange(p, client, invoker));
            }
        }
        return Optional.empty();
    }

    // ---- connect ----

    @Override
    public CompletionStage<ConnectResult> connect(ConnectRequest request, ClientConnection connection) {
        String clientId = request.clientId();
        if (clientId.isEmpty()) {
            if (!request.cleanStart() && request.protocolLevel() < 5) {
                return CompletableFuture.completedFuture(ConnectResult.refused(ConnectReturnCode.IDENTIFIER_REJECTED,
                        clientId, "empty client id needs clean session"));
            }
            clientId = "meridian-" + UUID.randomUUID();
        }
        ClientIdentity identity = new ClientIdentity(clientId, request.remoteAddress(), request.listenerName(),
                request.protocolLevel(), Optional.ofNullable(request.username()), java.util.Set.of(), null,
                request.clientCertificate());
        String finalClientId = clientId;
        CompletionStage<PluginOutputs.Authentication> authentication;
        if (request.authenticatedBy() != null) {
            PluginOutputs.Authentication allowed = new PluginOutputs.Authentication();
            allowed.allow(request.identity() != null ? request.identity() : io.meridianmq.sdk.auth.Identity.asPresented());
            authentication = CompletableFuture.completedFuture(allowed);
        } else {
            authentication = authenticate(identity, request, authenticators.all(), 0);
        }
        return authentication.thenCompose(result -> {
            if (result.verdict != PluginOutputs.Verdict.ALLOW) {
                ConnectReturnCode code = request.username() == null ? ConnectReturnCode.NOT_AUTHORIZED
                        : ConnectReturnCode.BAD_USERNAME_OR_PASSWORD;
                String reason = result.reason != null ? result.reason : "no authenticator accepted the client";
                // the client learns only the code: "unknown user" and "wrong password" look alike
                String told = request.username() == null ? "not authorized" : "bad user name or password";
                return authenticationRefused(identity, request.username(), reason)
                        .thenApply(v -> ConnectResult.refused(code, finalClientId, reason, told));
            }
            if (request.password() != null && request.username() != null) {
                failedLogins.succeeded(request.username());
            }
            ClientIdentity known = identity.as(result.identity);
            if (result.identity.expiresAt().isPresent() && !result.identity.expiresAt().get().isAfter(java.time.Instant.now())) {
                String why = "credentials expired at " + result.identity.expiresAt().get();
                events.authenticationFailed(known, why);
                return CompletableFuture.completedFuture(ConnectResult.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD,
                        finalClientId, why));
            }
            if (connectInterceptors.isEmpty()) {
                return CompletableFuture.completedFuture(attach(known, request, connection));
            }
            return interceptConnect(known, request, connectInterceptors.all(), 0, request.sessionExpirySeconds())
                    .thenApply(out -> {
                        if (out.refusal != null) {
                            events.authenticationFailed(known, out.refusal);
                            return ConnectResult.refused(ConnectReturnCode.NOT_AUTHORIZED, finalClientId, out.refusal);
                        }
                        return attach(known, request.withSessionExpiry(out.sessionExpiry), connection);
                    });
        });
    }

    /** Refusals because a limit on stored state was reached, by limit (for metrics). */
    private final ConcurrentHashMap<String, AtomicLong> stateLimitHits = new ConcurrentHashMap<>();

    /**
     * Counts and logs a refusal at a limit on stored state ({@code max_sessions}, ...): the first
     * for each limit and every 1,000th, so a client hammering a limit cannot flood the log.
     */
    void stateLimitHit(String limit, String clientId, String why) {
        long n = stateLimitHits.computeIfAbsent(limit, k -> {
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

    /**
     * Counts a decision a disabled security plugin made by failing closed, logs it (the first
     * time and every 1,000th, so that a flood of denials cannot flood the log) and returns the
     * reason for the client's refusal.
     */
    private String failedClosed(Plugin<?> plugin, String role, ClientInfo client) {
        return failedClosed(role + " " + plugin + " is disabled", client);
    }

    /**
     * Why the chain must refuse at {@code index} without asking the plugin there (a stopped
     * bundle of this {@code role}, or a disabled plugin at {@code index}), or null.
     */
    private String failClosedReason(String role, String stoppedBundle, List<? extends Plugin<?>> chain, int index,
            ClientInfo client) {
        if (stoppedBundle != null) {
            return failedClosed("the " + role + " bundle " + stoppedBundle + " is stopped", client);
        }
        if (index < chain.size() && !chain.get(index).isEnabled()) {
            return failedClosed(chain.get(index), role, client);
        }
        return null;
    }

    private String failedClosed(String what, ClientInfo client) {
        long n = failedClosed.incrementAndGet();
        String why = what + "; denying (fail closed)";
        if (n == 1 || n % 1000 == 0) {
            LOG.warn("Client '{}': {} ({} such decisions so far); enable the plugin again or uninstall its bundle",
                    client.clientId(), why, n);
        }
        return why;
    }

    /**
     * Counts a failed authentication (per address and per user name), tells the audit plugins,
     * and completes when the refusal may be sent: repeated failures are answered ever more
     * slowly, by a timer, never by blocking a thread.
     */
    CompletionStage<Void> authenticationRefused(ClientIdentity client, String username, String reason) {
        events.authenticationFailed(client, reason);
        long delay = failedLogins.failed(client.remoteAddress().getAddress(), username, client.clientId());
        if (delay == 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> later = new CompletableFuture<>();
        timers.schedule(() -> later.complete(null), delay, TimeUnit.MILLISECONDS);
        return later;
    }

    @Override
    public CompletionStage<Void> enhancedAuthenticationFailed(ConnectRequest request, String reason) {
        String clientId = request.clientId();
        ClientIdentity identity = new ClientIdentity(clientId, request.remoteAddress(), request.listenerName(),
                request.protocolLevel(), Optional.ofNullable(request.username()), java.util.Set.of(), null,
                request.clientCertificate());
        return authenticationRefused(identity, request.username(), reason);
    }

    private CompletionStage<PluginOutputs.Connect> interceptConnect(ClientIdentity client, ConnectRequest request,
            List<Plugin<ConnectInterceptor>> chain, int index, long expiry) {
        while (index < chain.size() && !chain.get(index).isEnabled()) {
            index++;
        }
        PluginOutputs.Connect output = new PluginOutputs.Connect(expiry);
        if (index >= chain.size()) {
            return CompletableFuture.completedFuture(output);
        }
        Plugin<ConnectInterceptor> plugin = chain.get(index);
        int next = index + 1;
        ConnectInput input = new ConnectInput() {
            @Override
            public ClientInfo client() {
                return client;
            }

            @Override
            public boolean cleanStart() {
                return request.cleanStart();
            }

            @Override
            public int keepAlive() {
                return request.keepAliveSeconds();
            }

            @Override
            public Optional<String> willTopic() {
                return Optional.ofNullable(request.will()).map(WillMessage::topic);
            }
        };
        return invoker.invoke(plugin, output, i -> i.onConnect(input, output), TimeoutFallback.SUCCESS)
                .thenCompose(out -> out.refusal != null ? CompletableFuture.completedFuture(out)
                        : interceptConnect(client, request, chain, next, out.sessionExpiry));
    }

    boolean hasDisconnectInterceptors() {
        return !disconnectInterceptors.isEmpty();
    }

    /** Runs the DISCONNECT interceptors; completes with whether the will is to be suppressed. */
    CompletionStage<Boolean> interceptDisconnect(ClientIdentity client, boolean graceful) {
        CompletionStage<Boolean> result = CompletableFuture.completedFuture(false);
        for (Plugin<DisconnectInterceptor> plugin : disconnectInterceptors.all()) {
            if (!plugin.isEnabled()) {
                continue;
            }
            DisconnectInput input = new DisconnectInput() {
                @Override
                public ClientInfo client() {
                    return client;
                }

                @Override
                public boolean graceful() {
                    return graceful;
                }
            };
            result = result.thenCompose(suppressed -> {
                PluginOutputs.Disconnect output = new PluginOutputs.Disconnect();
                return invoker.invoke(plugin, output, i -> i.onDisconnect(input, output), TimeoutFallback.SUCCESS)
                        .thenApply(out -> suppressed || out.suppressWill);
            });
        }
        return result;
    }

    @Override
    public java.util.SortedMap<String, Long> metrics() {
        return metrics == null ? new java.util.TreeMap<>() : metrics.snapshot();
    }

    private CompletionStage<PluginOutputs.Authentication> authenticate(ClientIdentity identity, ConnectRequest request,
            List<Plugin<Authenticator>> chain, int index) {
        // fail closed: a stopped or disabled plugin might have been the one to refuse this client
        String closed = failClosedReason("authenticator", index == 0 ? stoppedPlugins.authenticator() : null, chain,
                index, identity);
        if (closed != null) {
            PluginOutputs.Authentication refused = new PluginOutputs.Authentication();
            refused.deny(closed);
            return CompletableFuture.completedFuture(refused);
        }
        if (index >= chain.size()) {
            PluginOutputs.Authentication none = new PluginOutputs.Authentication();
            none.deny("no authenticator accepted the client");
            return CompletableFuture.completedFuture(none);
        }
        Plugin<Authenticator> plugin = chain.get(index);
        int next = index + 1;
        AuthenticationInput input = new AuthenticationInput() {
            @Override
            public ClientInfo client() {
                return identity;
            }

            @Override
            public Optional<String> username() {
                return Optional.ofNullable(request.username());
            }

            @Override
            public Optional<byte[]> password() {
                return Optional.ofNullable(request.password()).map(byte[]::clone);
            }
        };
        PluginOutputs.Authentication output = new PluginOutputs.Authentication();
        return invoker.invoke(plugin, output, a -> a.authenticate(input, output), TimeoutFallback.FAILURE).thenCompose(out -> out.verdict == PluginOutputs.Verdict.NEXT
                        ? authenticate(identity, request, chain, next)
                        : CompletableFuture.completedFuture(out));
    }

    private ConnectResult attach(ClientIdentity identity, ConnectRequest request, ClientConnection connection) {
        String clientId = identity.clientId();
        Session session;
        boolean present;
        ClientConnection previous;
        synchronized (registryLock) {
            Session existing = sessions.get(clientId);
            String claimed = identity.ownerKey();
            if (existing != null && existing.ownerKey != null && !existing.ownerKey.equals(claimed)) {
                if (settings.sessionOwnerCheck()) {
                    // online or offline, the session stays with whoever made it; its client stays connected
                    String why = "client id '" + clientId + "' belongs to the session of "
                            + ClientIdentity.describeOwner(existing.ownerKey) + ", not to "
                            + ClientIdentity.describeOwner(claimed) + " (session_owner_check = true)";
                    events.authenticationFailed(identity, why);
                    return ConnectResult.refused(ConnectReturnCode.IDENTIFIER_REJECTED, clientId, why,
                            "client identifier not valid");
                }
                LOG.info("Client {}: the session was made by {}; taken over by {} (session_owner_check = false)",
                        identity, ClientIdentity.describeOwner(existing.ownerKey), ClientIdentity.describeOwner(claimed));
            }
            int maxSessions = settings.limits().maxSessions();
            if ((existing == null || request.cleanStart()) && request.sessionExpirySeconds() != 0 && maxSessions >= 0
                    && sessions.size() - (existing == null ? 0 : 1) >= maxSessions) {
                String why = "max_sessions (" + maxSessions + ") reached: no new persistent session";
                stateLimitHit("sessions", identity.clientId(), why);
                return ConnectResult.refused(ConnectReturnCode.QUOTA_EXCEEDED, clientId, why, "quota exceeded");
            }
            previous = existing == null ? null : existing.owner;
            if (existing != null && request.cleanStart()) {
                Session old = existing;
                old.owner = null;
                old.retire();
                old.submit(old::discard);
                sessions.remove(clientId, old);
                existing = null;
            }
            if (existing == null) {
                session = new Session(clientId, request.sessionExpirySeconds(), this);
                sessions.put(clientId, session);
                present = false;
            } else {
                session = existing;
                session.expirySeconds = request.sessionExpirySeconds();
                present = true;
            }
            session.owner = connection;
            session.ownerKey = claimed;
        }
        if (previous != null) {
            LOG.info("Client {}: taking over the session of the existing connection with that client id", identity);
            previous.close(DisconnectReason.SESSION_TAKEN_OVER,
                    "session taken over by a new connection with the same client id");
        }
        ClientSessionHandle handle = new ClientSessionHandle(this, session, identity, connection, request.will(),
                request.receiveMaximum());
        return ConnectResult.accepted(present, clientId, handle);
    }

    /** Called when a connection of {@code session} ended. */
    void detach(Session session, ClientConnection connection) {
        synchronized (registryLock) {
            if (session.owner == connection) {
                session.owner = null;
                if (session.expirySeconds == 0 && sessions.remove(session.clientId, session)) {
                    session.retire();
                }
            }
        }
        session.submit(() -> session.detach(connection));
    }

    /** The session expiry interval passed with no client: the session ends. */
    void expire(Session session) {
        synchronized (registryLock) {
            if (session.owner != null || !sessions.remove(session.clientId, session)) {
                return; // the client came back (or the session already ended)
            }
            session.retire();
        }
        LOG.info("Session of client '{}' expired", session.clientId);
        session.submit(session::discard);
    }

    // ---- authorization ----

    boolean hasAuthorizers() {
        return !authorizers.isEmpty();
    }

    /** Whether deliveries are to be authorized (an authorizer is installed, running or stopped). */
    boolean authorizesDeliveries() {
        return !authorizers.isEmpty() || stoppedPlugins.authorizer() != null;
    }

    boolean hasInboundInterceptors() {
        return !inboundInterceptors.isEmpty();
    }

    CompletionStage<PluginOutputs.Authorization> authorizePublish(ClientInfo client, String topic, int qos, boolean retain) {
        PublishAuthorizationInput input = new PublishAuthorizationInput() {
            @Override
            public ClientInfo client() {
                return client;
            }

            @Override
            public String topic() {
                return topic;
            }

            @Override
            public int qos() {
                return qos;
            }

            @Override
            public boolean retain() {
                return retain;
            }
        };
        return authorize(authorizers.all(), 0, (a, out) -> a.authorizePublish(input, out), client);
    }

    CompletionStage<PluginOutputs.Authorization> authorizeSubscribe(ClientInfo client, String filter, int qos) {
        SubscribeAuthorizationInput input = new SubscribeAuthorizationInput() {
            @Override
            public ClientInfo client() {
                return client;
            }

            @Override
            public String topicFilter() {
                return filter;
            }

            @Override
            public int qos() {
                return qos;
            }
        };
        return authorize(authorizers.all(), 0, (a, out) -> a.authorizeSubscribe(input, out), client);
    }

    private CompletionStage<PluginOutputs.Authorization> authorize(List<Plugin<Authorizer>> chain, int index,
            java.util.function.BiConsumer<Authorizer, PluginOutputs.Authorization> call, ClientInfo client) {
        // fail closed: a stopped or disabled authorizer denies, it is never skipped into "allowed"
        String closed = failClosedReason("authorizer", index == 0 ? stoppedPlugins.authorizer() : null, chain, index,
                client);
        if (closed != null) {
            PluginOutputs.Authorization denied = new PluginOutputs.Authorization();
            denied.deny(closed);
            return CompletableFuture.completedFuture(denied);
        }
        if (index >= chain.size()) {
            PluginOutputs.Authorization allowed = new PluginOutputs.Authorization();
            allowed.allow(); // no authorizer decided: allowed, as without an ACL
            return CompletableFuture.completedFuture(allowed);
        }
        Plugin<Authorizer> plugin = chain.get(index);
        int next = index + 1;
        PluginOutputs.Authorization output = new PluginOutputs.Authorization();
        return invoker.invoke(plugin, output, a -> call.accept(a, output), TimeoutFallback.FAILURE)
                .thenCompose(out -> out.verdict == PluginOutputs.Verdict.NEXT ? authorize(chain, next, call, client)
                        : CompletableFuture.completedFuture(out));
    }

    boolean hasOutboundInterceptors() {
        return !outboundInterceptors.isEmpty();
    }

    boolean hasSubscribeInterceptors() {
        return !subscribeInterceptors.isEmpty();
    }

    /** Runs the outbound interceptors over one subscriber's copy; completes with it (or dropped). */
    CompletionStage<PluginOutputs.PublishOutbound> interceptOutbound(ClientInfo subscriber, PluginOutputs.Publish copy) {
        return interceptOutbound(subscriber, copy, outboundInterceptors.all(), 0);
    }

    private CompletionStage<PluginOutputs.PublishOutbound> interceptOutbound(ClientInfo subscriber,
            PluginOutputs.Publish copy, List<Plugin<PublishOutboundInterceptor>> chain, int index) {
        while (index < chain.size() && !chain.get(index).isEnabled() && !(chain.get(index).service instanceof Authorizer)) {
            index++;
        }
        PluginOutputs.PublishOutbound output = new PluginOutputs.PublishOutbound(copy);
        if (index >= chain.size()) {
            return CompletableFuture.completedFuture(output);
        }
        Plugin<PublishOutboundInterceptor> plugin = chain.get(index);
        // an authorizer filtering deliveries (the ACL) fails closed: disabled or failing, it drops
        boolean guards = plugin.service instanceof Authorizer;
        if (guards && !plugin.isEnabled()) {
            output.dropReason = failedClosed(plugin, "authorizer", subscriber);
            return CompletableFuture.completedFuture(output);
        }
        int next = index + 1;
        PublishOutboundInput input = () -> subscriber;
        return invoker.invoke(plugin, output, i -> i.onOutboundPublish(input, output),
                guards ? TimeoutFallback.FAILURE : TimeoutFallback.SUCCESS)
                .thenCompose(out -> out.dropReason != null ? CompletableFuture.completedFuture(out)
                        : interceptOutbound(subscriber, copy, chain, next));
    }

    /** Runs the SUBSCRIBE interceptors over one entry. */
    CompletionStage<PluginOutputs.Subscribe> interceptSubscribe(ClientInfo client, PluginOutputs.Subscribe entry) {
        return interceptSubscribe(client, entry, subscribeInterceptors.all(), 0);
    }

    private CompletionStage<PluginOutputs.Subscribe> interceptSubscribe(ClientInfo client, PluginOutputs.Subscribe entry,
            List<Plugin<SubscribeInterceptor>> chain, int index) {
        while (index < chain.size() && !chain.get(index).isEnabled()) {
            index++;
        }
        if (index >= chain.size()) {
            return CompletableFuture.completedFuture(entry);
        }
        Plugin<SubscribeInterceptor> plugin = chain.get(index);
        int next = index + 1;
        // each interceptor gets a fresh output object holding the entry as the previous one left it
        PluginOutputs.Subscribe output = new PluginOutputs.Subscribe(entry.topicFilter, entry.qos);
        SubscribeInput input = () -> client;
        return invoker.invoke(plugin, output, i -> i.onSubscribe(input, output), TimeoutFallback.SUCCESS)
                .thenCompose(out -> out.refusal != null ? CompletableFuture.completedFuture(out)
                        : interceptSubscribe(client, out, chain, next));
    }

    /** Runs the inbound interceptors in ranking order over {@code publish}; completes with it (or dropped). */
    CompletionStage<PluginOutputs.PublishInbound> interceptInbound(ClientInfo client, PluginOutputs.Publish publish) {
        return intercept(client, publish, inboundInterceptors.all(), 0);
    }

    private CompletionStage<PluginOutputs.PublishInbound> intercept(ClientInfo client, PluginOutputs.Publish publish,
            List<Plugin<PublishInboundInterceptor>> chain, int index) {
        while (index < chain.size() && !chain.get(index).isEnabled()) {
            index++;
        }
        PluginOutputs.PublishInbound output = new PluginOutputs.PublishInbound(publish);
        if (index >= chain.size()) {
            return CompletableFuture.completedFuture(output);
        }
        Plugin<PublishInboundInterceptor> plugin = chain.get(index);
        int next = index + 1;
        PublishInboundInput input = () -> client;
        return invoker.invoke(plugin, output, i -> i.onInboundPublish(input, output), TimeoutFallback.SUCCESS)
                .thenCompose(out -> {
                    if (out.dropReason != null) {
                        LOG.debug("Client {}: PUBLISH to '{}' dropped by {}: {}", client, publish.topic, plugin,
                                out.dropReason);
                        return CompletableFuture.completedFuture(out);
                    }
                    return intercept(client, publish, chain, next);
                });
    }

    // ---- routing ----

    /** Longest a publisher is held back for one congested receiver; then it goes on regardless. */
    static final long MAX_HOLD_BACK_MILLIS = 5000;

    /**
     * Runs {@code relieved} once {@code receiver} is no longer congested, or after
     * {@link #MAX_HOLD_BACK_MILLIS} at the latest: a subscriber that stops reading must not stall
     * its publishers for ever (it then loses messages at its own queue limit, nobody else does).
     */
    void whenRelievedOrLater(Session receiver, Runnable relieved) {
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable fire = () -> {
            if (once.compareAndSet(false, true)) {
                relieved.run();
            }
        };
        try {
            timers.schedule(() -> {
                receiver.forgetRelief(fire); // a stuck receiver does not collect callbacks
                fire.run();
            }, MAX_HOLD_BACK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            fire.run();
            return;
        }
        receiver.whenRelieved(fire);
    }

    /** What one session gets of one message, merged over all its matching subscriptions. */
    private static final class Plan {
        int qos = -1;
        boolean retainAsPublished;
        List<Integer> ids;

        void add(Subscription s) {
            qos = Math.max(qos, s.qos());
            retainAsPublished |= s.retainAsPublished();
            if (s.subscriptionId() != 0) {
                if (ids == null) {
                    ids = new ArrayList<>(2);
                }
                ids.add(s.subscriptionId());
            }
        }

        int[] ids() {
            if (ids == null) {
                return null;
            }
            int[] a = new int[ids.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = ids.get(i);
            }
            return a;
        }

        Session.Delivery delivery(Message message) {
            return new Session.Delivery(message, Math.min(message.qos(), qos), retainAsPublished && message.retain(),
                    ids(), null);
        }
    }

    /**
     * Routes a message: updates retained state, then delivers it to every matching session once,
     * at the highest QoS of its matching subscriptions capped by the message's QoS, and to one
     * member of every matching shared subscription group. Returns how many sessions it went to.
     */
    int route(Message message) {
        return route(message, null);
    }

    /**
     * Routes as {@link #route(Message)} and, when {@code batch} is given, adds the QoS 1/2
     * deliveries to persistent sessions to it and submits it before any session sees them (so
     * that their later updates follow the writes in the store).
     */
    int route(Message message, SessionStore.Batch batch) {
        return route(message, batch, null);
    }

    /**
     * Routes as {@link #route(Message, SessionStore.Batch)} and tells {@code congested} about
     * every receiving session that has more waiting than it takes in (its publisher should pause).
     */
    int route(Message message, SessionStore.Batch batch, java.util.function.Consumer<Session> congested) {
        if (message.retain()) {
            retainedQuota.store(new RetainedMessage(message.topic(), message.payload(), message.qos(),
                    message.properties(), message.expiresAtMillis() == Long.MAX_VALUE ? 0 : message.expiresAtMillis()));
        }
        RouteScratch scratch = RouteScratch.take();
        try {
            scratch.publisher = message.publisherId();
            subscriptions.match(message.topic(), scratch);
            List<Subscription> matched = scratch.matched;
            int n = matched.size();
            int delivered = 0;
            // with a batch, sessions see their deliveries only after the batch is submitted
            List<Runnable> afterSubmit = batch == null ? null : new ArrayList<>(Math.min(n, 16));
            boolean many = n > RouteScratch.LINEAR_MERGE_LIMIT;
            if (many) {
                // bring each session's subscriptions together (by identity hash), then merge within
                // runs of equal hash: no map and no per-session objects, however many match
                matched.sort(RouteScratch.BY_SESSION);
            }
            int runStart = 0;
            while (runStart < n) {
                int runEnd = n; // few matches: the whole list is one run, merged by scanning
                if (many) {
                    int hash = System.identityHashCode(matched.get(runStart).session());
                    runEnd = runStart + 1;
                    while (runEnd < n && System.identityHashCode(matched.get(runEnd).session()) == hash) {
                        runEnd++;
                    }
                }
                delivered += deliverMerged(message, matched, runStart, runEnd, batch, congested, afterSubmit);
                runStart = runEnd;
            }
            if (batch != null) {
                batch.submit();
                afterSubmit.forEach(Runnable::run);
            }
            for (SubscriptionTree.SharedGroup group : scratch.groups) {
                if (deliverShared(message, group, null)) {
                    delivered++;
                }
            }
            return delivered;
        } finally {
            scratch.release();
        }
    }

    /**
     * Hands one delivery to each session among {@code matched[from, to)}, merged over all of that
     * session's subscriptions in the range (highest QoS, retain-as-published if any asks, every
     * subscription id); returns how many sessions. A session with one matching subscription, the
     * usual case, needs no {@link Plan}.
     */
    private int deliverMerged(Message message, List<Subscription> matched, int from, int to,
            SessionStore.Batch batch, java.util.function.Consumer<Session> congested, List<Runnable> afterSubmit) {
        int delivered = 0;
        for (int i = from; i < to; i++) {
            Subscription first = matched.get(i);
            Session session = first.session();
            if (seenBefore(matched, from, i, session)) {
                continue;
            }
            Plan plan = null;
            for (int j = i + 1; j < to; j++) {
                if (matched.get(j).session() == session) {
                    if (plan == null) {
                        plan = new Plan();
                        plan.add(first);
                    }
                    plan.add(matched.get(j));
                }
            }
            Session.Delivery d = plan == null
                    ? new Session.Delivery(message, Math.min(message.qos(), first.qos()),
                            first.retainAsPublished() && message.retain(),
                            first.subscriptionId() == 0 ? null : new int[] {first.subscriptionId()}, null)
                    : plan.delivery(message);
            hand(session, d, batch, congested, afterSubmit);
            delivered++;
        }
        return delivered;
    }

    private static boolean seenBefore(List<Subscription> matched, int from, int index, Session session) {
        for (int j = from; j < index; j++) {
            if (matched.get(j).session() == session) {
                return true;
            }
        }
        return false;
    }

    /** Gives one delivery to its session now, or (with a batch) once the batch is submitted. */
    private void hand(Session session, Session.Delivery d, SessionStore.Batch batch,
            java.util.function.Consumer<Session> congested, List<Runnable> afterSubmit) {
        if (congested != null && session.congested()) {
            congested.accept(session);
        }
        if (batch == null) {
            session.submitDelivery(d);
            return;
        }
        if (d.qos > 0 && session.persisted) {
            d.sequence = nextSequence();
            batch.putMessage(session.clientId, d.sequence, d.toStored());
        }
        afterSubmit.add(() -> session.submitDelivery(d));
    }

    /**
     * What one routing collects from the subscription tree, kept per thread and reused, so that
     * routing a message allocates no collections of its own. A nested route on the same thread
     * (a plugin publishing from a callback) gets a fresh one.
     */
    private static final class RouteScratch implements SubscriptionTree.MatchVisitor {
        /** Up to this many matches, a session's subscriptions are merged by scanning, unsorted. */
        static final int LINEAR_MERGE_LIMIT = 16;
        static final java.util.Comparator<Subscription> BY_SESSION =
                java.util.Comparator.comparingInt(s -> System.identityHashCode(s.session()));
        private static final ThreadLocal<RouteScratch> PER_THREAD = ThreadLocal.withInitial(RouteScratch::new);

        final ArrayList<Subscription> matched = new ArrayList<>();
        final ArrayList<SubscriptionTree.SharedGroup> groups = new ArrayList<>(0);
        String publisher;
        private boolean inUse;

        static RouteScratch take() {
            RouteScratch s = PER_THREAD.get();
            if (s.inUse) {
                s = new RouteScratch();
            }
            s.inUse = true;
            return s;
        }

        void release() {
            // a burst to many subscribers must not pin a huge array for the thread's lifetime
            if (matched.size() > 1024) {
                matched.clear();
                matched.trimToSize();
            } else {
                matched.clear();
            }
            groups.clear();
            publisher = null;
            inUse = false;
        }

        @Override
        public void subscription(Subscription s) {
            if (s.noLocal() && publisher != null && publisher.equals(s.session().clientId)) {
                return;
            }
            matched.add(s);
        }

        @Override
        public void sharedGroup(SubscriptionTree.SharedGroup group) {
            groups.add(group);
        }
    }

    private boolean deliverShared(Message message, SubscriptionTree.SharedGroup group, Session excluded) {
        Subscription member = group.pick(excluded);
        if (member == null) {
            return false;
        }
        Session session = member.session();
        int[] ids = member.subscriptionId() == 0 ? null : new int[] {member.subscriptionId()};
        Session.Delivery d = new Session.Delivery(message, Math.min(message.qos(), member.qos()),
                member.retainAsPublished() && message.retain(), ids, group);
        session.submitDelivery(d);
        return true;
    }

    /** A shared-subscription message whose member left before acknowledging it goes to another member. */
    void redeliverShared(Session.Delivery d, Session leaving) {
        if (!deliverShared(d.message, d.sharedGroup, leaving)) {
            LOG.info("Client '{}' left its shared subscription {} with an unacknowledged message and no other "
                    + "member to take it; dropped", leaving.clientId, d.sharedGroup);
            countDropped();
        }
    }

    /** Publishes a will (after authorization, if authorizers are registered). */
    void publishWill(ClientIdentity owner, WillMessage w) {
        long now = System.currentTimeMillis();
        Message m = new Message(w.topic(), w.payload(), w.qos(), w.retain(), w.properties(),
                Message.expiryFrom(w.messageExpirySeconds(), now), owner.clientId());
        if (!hasAuthorizers()) {
            route(m);
            return;
        }
        authorizePublish(owner, w.topic(), w.qos(), w.retain()).thenAccept(d -> {
            if (d.verdict == PluginOutputs.Verdict.ALLOW) {
                route(m);
            } else {
                LOG.info("Client {}: will to '{}' denied by authorization; dropped", owner, w.topic());
            }
        });
    }

    // ---- services for plugins ----

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties) {
        if (!io.meridianmq.sdk.topic.Topics.isValidTopicName(topic)) {
            throw new IllegalArgumentException("not a valid topic name: '" + topic + "'");
        }
        route(new Message(topic, payload.clone(), Math.min(qos, settings.maximumQos()), retain, properties,
                Long.MAX_VALUE, null));
    }

    @Override
    public java.util.Collection<ClientInfo> connectedClients() {
        List<ClientInfo> clients = new ArrayList<>();
        for (Session s : sessions.values()) {
            ClientIdentity who = s.identity;
            if (s.owner != null && who != null) {
                clients.add(who);
            }
        }
        return clients;
    }

    @Override
    public Map<String, Integer> subscriptions(String clientId) {
        Session s = sessions.get(clientId);
        return s == null ? Map.of() : s.subscriptionSnapshot;
    }

    @Override
    public List<io.meridianmq.sdk.service.RetainedMessageView> retained(String topicFilter, int limit) {
        if (!io.meridianmq.sdk.topic.Topics.isValidTopicFilter(topicFilter)) {
            throw new IllegalArgumentException("not a valid topic filter: '" + topicFilter + "'");
        }
        List<io.meridianmq.sdk.service.RetainedMessageView> found = new ArrayList<>();
        retained.forEachMatching(topicFilter, m -> {
            if (found.size() < limit) {
                found.add(new io.meridianmq.sdk.service.RetainedMessageView(m.topic(), m.payload().clone(), m.qos(),
                        m.properties()));
            }
        });
        return found;
    }

    @Override
    public boolean disconnect(String clientId, String reason) {
        Session s = sessions.get(clientId);
        ClientConnection owner = s == null ? null : s.owner;
        if (owner == null) {
            return false;
        }
        owner.close(DisconnectReason.ADMINISTRATIVE_ACTION, "disconnected by a plugin or operator: " + reason);
        return true;
    }

    @Override
    public List<io.meridianmq.broker.PluginState> plugins() {
        List<io.meridianmq.broker.PluginState> all = new ArrayList<>();
        authenticators.describe("authenticator", all);
        enhancedAuthenticators.describe("enhanced authenticator", all);
        authorizers.describe("authorizer", all);
        inboundInterceptors.describe("inbound interceptor", all);
        outboundInterceptors.describe("outbound interceptor", all);
        subscribeInterceptors.describe("subscribe interceptor", all);
        connectInterceptors.describe("connect interceptor", all);
        disconnectInterceptors.describe("disconnect interceptor", all);
        events.listeners.describe("event listener", all);
        return all;
    }

    /** For tests: the number of sessions known. */
    int sessionCount() {
        return sessions.size();
    }
}
