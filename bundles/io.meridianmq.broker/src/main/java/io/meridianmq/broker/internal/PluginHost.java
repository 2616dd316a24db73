package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import io.meridianmq.broker.AuthenticationExchange;
import io.meridianmq.broker.PluginState;
import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.Authenticator;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.EnhancedAuthenticator;
import io.meridianmq.sdk.auth.PublishAuthorizationInput;
import io.meridianmq.sdk.auth.SubscribeAuthorizationInput;
import io.meridianmq.sdk.client.ClientInfo;
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

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins the broker calls, one chain per extension point, and the decisions asked of them:
 * each decision is one {@link ChainWalk} over its chain. Security chains fail closed (a disabled,
 * failing or stopped authenticator or authorizer denies); interceptors that fail are passed over.
 *
 * <p>Thread-safe: chains are copy-on-write (bound and unbound by the OSGi framework's threads),
 * decisions are asked from any thread and complete on plugin threads or inline.
 */
final class PluginHost {

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    final PluginChain<Authenticator> authenticators = new PluginChain<>();
    final PluginChain<EnhancedAuthenticator> enhancedAuthenticators = new PluginChain<>();
    final PluginChain<Authorizer> authorizers = new PluginChain<>();
    /** What each plugin's calls cost, by plugin name (for metrics). */
    final PluginFigures figures = new PluginFigures();
    /** Authorization decisions that denied, by action (publish, subscribe). */
    private final LabelledCounts denials = new LabelledCounts("publish", "subscribe", "deliver");
    final PluginChain<PublishInboundInterceptor> inboundInterceptors = new PluginChain<>();
    final PluginChain<PublishOutboundInterceptor> outboundInterceptors = new PluginChain<>();
    final PluginChain<SubscribeInterceptor> subscribeInterceptors = new PluginChain<>();
    final PluginChain<ConnectInterceptor> connectInterceptors = new PluginChain<>();
    final PluginChain<DisconnectInterceptor> disconnectInterceptors = new PluginChain<>();
    /** Security plugins whose bundles are installed but stopped: they deny until removed. */
    final StoppedSecurityPlugins stopped = new StoppedSecurityPlugins();
    /** Decisions denied because the security plugin that should have made them is disabled. */
    private final AtomicLong failedClosed = new AtomicLong();
    /** Set when the core starts (its threads exist then), before any decision is asked. */
    private volatile PluginInvoker invoker;

    void start(PluginInvoker pluginInvoker) {
        invoker = pluginInvoker;
    }

    void stop() {
        invoker.shutdown();
    }

    PluginInvoker invoker() {
        return invoker;
    }

    /** Adds a plugin bound by the framework, with a log line naming it. */
    <T> void add(PluginChain<T> chain, String kind, ServiceReference<T> reference, T plugin) {
        chain.add(reference, plugin);
        Bundle b = reference.getBundle();
        LOG.info("{} added: {} ({})", kind, b == null ? "?" : b.getSymbolicName() + " " + b.getVersion(),
                plugin.getClass().getName());
    }

    /** Removes a plugin unbound by the framework, with a log line naming it. */
    <T> void remove(PluginChain<T> chain, String kind, T plugin) {
        chain.remove(plugin);
        LOG.info("{} removed: {}", kind, plugin.getClass().getName());
    }

    long failedClosedCount() {
        return failedClosed.get();
    }

    /**
     * Counts a decision denied because its security plugin is disabled or stopped, logs it (the
     * first time and every 1,000th, so that a flood of denials cannot flood the log) and returns
     * the reason for the client's refusal.
     */
    String failedClosed(String what, ClientInfo client) {
        long n = failedClosed.incrementAndGet();
        String why = what + "; denying (fail closed)";
        if (n == 1 || n % 1000 == 0) {
            LOG.warn("Client '{}': {} ({} such decisions so far); enable the plugin again or uninstall its bundle",
                    client.clientId(), why, n);
        }
        return why;
    }

    // ---- authentication ----

    /** Whether a real authenticator (not the anonymous one) or an enhanced one is installed. */
    boolean authenticationConfigured() {
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

    CompletionStage<PluginOutputs.Authentication> authenticate(AuthenticationInput input) {
        String stoppedBundle = stopped.authenticator();
        return PluginWalks.AUTHENTICATE.run(this, authenticators.all(), input, new PluginOutputs.Authentication(), input.client(),
                stoppedBundle == null ? null : "the authenticator bundle " + stoppedBundle);
    }

    boolean enhancedAuthenticationAvailable(String method) {
        return enhancedAuthenticator(method) != null; // a disabled one too: its exchange fails closed
    }

    Optional<AuthenticationExchange> beginEnhancedAuthentication(String method, ClientInfo client) {
        Plugin<EnhancedAuthenticator> p = enhancedAuthenticator(method);
        return p == null ? Optional.empty() : Optional.of(new PluginAuthenticationExchange(p, client, invoker));
    }

    private Plugin<EnhancedAuthenticator> enhancedAuthenticator(String method) {
        for (Plugin<EnhancedAuthenticator> p : enhancedAuthenticators.all()) {
            if (method.equals(p.service.method())) {
                return p;
            }
        }
        return null;
    }

    // ---- authorization ----

    boolean hasAuthorizers() {
        return !authorizers.isEmpty();
    }

    /** Whether deliveries are to be authorized (an authorizer is installed, running or stopped). */
    boolean authorizesDeliveries() {
        return !authorizers.isEmpty() || stopped.authorizer() != null;
    }

    CompletionStage<PluginOutputs.Authorization> authorizePublish(ClientInfo client, String topic, int qos,
            boolean retain) {
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
        return PluginWalks.AUTHORIZE_PUBLISH.run(this, authorizers.all(), input, new PluginOutputs.Authorization(), input.client(),
                stoppedAuthorizer()).thenApply(a -> countDenial("publish", a));
    }

    CompletionStage<PluginOutputs.Authorization> authorizeSubscribe(ClientInfo client, String filter, int qos) {
        return authorizeFilter(client, filter, qos, "subscribe");
    }

    /** A message leaving a queue, authorized as a subscription of the receiver to its topic (counted as "deliver"). */
    CompletionStage<PluginOutputs.Authorization> authorizeDelivery(ClientInfo subscriber, String topic, int qos) {
        return authorizeFilter(subscriber, topic, qos, "deliver");
    }

    private CompletionStage<PluginOutputs.Authorization> authorizeFilter(ClientInfo client, String filter, int qos,
            String action) {
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
        return PluginWalks.AUTHORIZE_SUBSCRIBE.run(this, authorizers.all(), input, new PluginOutputs.Authorization(),
                input.client(), stoppedAuthorizer()).thenApply(a -> countDenial(action, a));
    }

    private PluginOutputs.Authorization countDenial(String action, PluginOutputs.Authorization decision) {
        if (decision.verdict != PluginOutputs.Verdict.ALLOW) {
            denials.increment(action);
        }
        return decision;
    }

    /** Authorization decisions that denied so far, by action. */
    java.util.Map<String, Long> denials() {
        return denials.snapshot();
    }

    /** Each plugin's call figures so far. */
    java.util.List<io.meridianmq.broker.PluginCalls> calls() {
        return figures.snapshot();
    }

    private String stoppedAuthorizer() {
        String bundle = stopped.authorizer();
        return bundle == null ? null : "the authorizer bundle " + bundle;
    }

    // ---- interceptors ----

    boolean hasInboundInterceptors() {
        return !inboundInterceptors.isEmpty();
    }

    boolean hasOutboundInterceptors() {
        return !outboundInterceptors.isEmpty();
    }

    boolean hasSubscribeInterceptors() {
        return !subscribeInterceptors.isEmpty();
    }

    boolean hasConnectInterceptors() {
        return !connectInterceptors.isEmpty();
    }

    boolean hasDisconnectInterceptors() {
        return !disconnectInterceptors.isEmpty();
    }

    /** Runs the CONNECT interceptors; the result carries the session expiry they left, or a refusal. */
    CompletionStage<PluginOutputs.Connect> interceptConnect(ConnectInput input, long sessionExpiry) {
        return PluginWalks.CONNECT.run(this, connectInterceptors.all(), input, new PluginOutputs.Connect(sessionExpiry),
                input.client(), null);
    }

    /** Runs the DISCONNECT interceptors; completes with whether the will is to be suppressed. */
    CompletionStage<Boolean> interceptDisconnect(ClientInfo client, boolean graceful) {
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
        return PluginWalks.DISCONNECT.run(this, disconnectInterceptors.all(), input, new PluginOutputs.Disconnect(false), client,
                null).thenApply(out -> out.suppressWill);
    }

    /** Runs the inbound interceptors in ranking order over {@code publish}; completes with it (or dropped). */
    CompletionStage<PluginOutputs.PublishInbound> interceptInbound(ClientInfo client, PluginOutputs.Publish publish) {
        PublishInboundInput input = () -> client;
        return PluginWalks.INBOUND.run(this, inboundInterceptors.all(), input, new PluginOutputs.PublishInbound(publish), client,
                null);
    }

    /** Runs the outbound interceptors over one subscriber's copy; completes with it (or dropped). */
    CompletionStage<PluginOutputs.PublishOutbound> interceptOutbound(ClientInfo subscriber,
            PluginOutputs.Publish copy) {
        PublishOutboundInput input = () -> subscriber;
        return PluginWalks.OUTBOUND.run(this, outboundInterceptors.all(), input, new PluginOutputs.PublishOutbound(copy),
                subscriber, null);
    }

    /** Runs the SUBSCRIBE interceptors over one entry. */
    CompletionStage<PluginOutputs.Subscribe> interceptSubscribe(ClientInfo client, PluginOutputs.Subscribe entry) {
        SubscribeInput input = () -> client;
        return PluginWalks.SUBSCRIBE.run(this, subscribeInterceptors.all(), input, entry, client, null);
    }

    /** Each plugin's state, for operators. */
    void describe(List<PluginState> into) {
        authenticators.describe("authenticator", into);
        enhancedAuthenticators.describe("enhanced authenticator", into);
        authorizers.describe("authorizer", into);
        inboundInterceptors.describe("inbound interceptor", into);
        outboundInterceptors.describe("outbound interceptor", into);
        subscribeInterceptors.describe("subscribe interceptor", into);
        connectInterceptors.describe("connect interceptor", into);
        disconnectInterceptors.describe("disconnect interceptor", into);
    }

    List<PluginState> describe() {
        List<PluginState> all = new ArrayList<>();
        describe(all);
        return all;
    }
}
