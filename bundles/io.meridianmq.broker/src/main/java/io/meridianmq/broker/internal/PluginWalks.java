package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

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
 * How each extension point's chain is walked: what a plugin is asked, what ends the walk, and
 * what a chain that fails closed answers. {@link PluginHost} runs them; the walking itself is
 * {@link ChainWalk}'s, once for all.
 *
 * <p>Stateless constants, used from any thread.
 */
final class PluginWalks {

    private static final Logger LOG = LoggerFactory.getLogger(PluginWalks.class);

    private PluginWalks() {
    }


    /** A security decision: allow, deny or pass on; fails closed. */
    private abstract static class VerdictWalk<P, I, O extends PluginOutputs.VerdictOutput> extends ChainWalk<P, I, O> {
        private final String role;

        VerdictWalk(String role) {
            this.role = role;
        }

        @Override
        String guards(Plugin<P> plugin) {
            return role;
        }

        @Override
        boolean decided(O output) {
            return output.verdict != PluginOutputs.Verdict.NEXT;
        }

        @Override
        O closed(String why) {
            O denied = fresh();
            denied.deny(why);
            return denied;
        }

        abstract O fresh();

        @Override
        O next(O previous) {
            return fresh();
        }
    }

    static final ChainWalk<Authenticator, AuthenticationInput, PluginOutputs.Authentication> AUTHENTICATE =
            new VerdictWalk<>("authenticator") {
                @Override
                PluginOutputs.Authentication fresh() {
                    return new PluginOutputs.Authentication();
                }

                @Override
                void ask(Authenticator plugin, AuthenticationInput input, PluginOutputs.Authentication output) {
                    plugin.authenticate(input, output);
                }

                @Override
                PluginOutputs.Authentication end(PluginOutputs.Authentication last) {
                    return closed("no authenticator accepted the client");
                }
            };

    /** An authorization chain: the first authorizer that decides, allowed when none does. */
    private static final class AuthorizeWalk<I> extends VerdictWalk<Authorizer, I, PluginOutputs.Authorization> {
        private final Ask<Authorizer, I, PluginOutputs.Authorization> ask;

        AuthorizeWalk(Ask<Authorizer, I, PluginOutputs.Authorization> ask) {
            super("authorizer");
            this.ask = ask;
        }

        @Override
        PluginOutputs.Authorization fresh() {
            return new PluginOutputs.Authorization();
        }

        @Override
        void ask(Authorizer plugin, I input, PluginOutputs.Authorization output) {
            ask.ask(plugin, input, output);
        }

        @Override
        PluginOutputs.Authorization end(PluginOutputs.Authorization last) {
            PluginOutputs.Authorization allowed = fresh();
            allowed.allow(); // no authorizer decided: allowed, as without an ACL
            return allowed;
        }
    }

    static final ChainWalk<Authorizer, PublishAuthorizationInput, PluginOutputs.Authorization>
            AUTHORIZE_PUBLISH = new AuthorizeWalk<>(Authorizer::authorizePublish);

    static final ChainWalk<Authorizer, SubscribeAuthorizationInput, PluginOutputs.Authorization>
            AUTHORIZE_SUBSCRIBE = new AuthorizeWalk<>(Authorizer::authorizeSubscribe);

    /** What a walk asks one plugin: the extension point's own method. */
    @FunctionalInterface
    interface Ask<P, I, O> {
        void ask(P plugin, I input, O output);
    }

    /**
     * An interceptor chain: disabled or failing interceptors are passed over, it never fails
     * closed; each interceptor gets a fresh output holding what the previous one left
     * ({@code next}), and {@code decided} ends the walk early.
     */
    private static final class InterceptWalk<P, I, O extends PluginOutput> extends ChainWalk<P, I, O> {
        private final UnaryOperator<O> next;
        private final Ask<P, I, O> ask;
        private final Predicate<O> decided;

        InterceptWalk(UnaryOperator<O> next, Ask<P, I, O> ask, Predicate<O> decided) {
            this.next = next;
            this.ask = ask;
            this.decided = decided;
        }

        @Override
        String guards(Plugin<P> plugin) {
            return null;
        }

        @Override
        O next(O previous) {
            return next.apply(previous);
        }

        @Override
        void ask(P plugin, I input, O output) {
            ask.ask(plugin, input, output);
        }

        @Override
        boolean decided(O output) {
            return decided.test(output);
        }

        @Override
        O closed(String why) {
            throw new IllegalStateException("an interceptor chain never fails closed: " + why);
        }
    }

    static final ChainWalk<ConnectInterceptor, ConnectInput, PluginOutputs.Connect> CONNECT = new InterceptWalk<>(
            previous -> new PluginOutputs.Connect(previous.sessionExpiry), ConnectInterceptor::onConnect,
            output -> output.refusal != null);

    static final ChainWalk<DisconnectInterceptor, DisconnectInput, PluginOutputs.Disconnect> DISCONNECT =
            new InterceptWalk<>(previous -> new PluginOutputs.Disconnect(previous.suppressWill),
                    DisconnectInterceptor::onDisconnect, output -> false); // every interceptor sees it

    /** Each interceptor gets the entry as the previous one left it. */
    static final ChainWalk<SubscribeInterceptor, SubscribeInput, PluginOutputs.Subscribe> SUBSCRIBE =
            new InterceptWalk<>(previous -> new PluginOutputs.Subscribe(previous.topicFilter, previous.qos),
                    SubscribeInterceptor::onSubscribe, output -> output.refusal != null);

    static final ChainWalk<PublishInboundInterceptor, PublishInboundInput, PluginOutputs.PublishInbound> INBOUND =
            new InterceptWalk<>(previous -> new PluginOutputs.PublishInbound(previous.publish),
                    PublishInboundInterceptor::onInboundPublish, PluginWalks::droppedInbound);

    private static boolean droppedInbound(PluginOutputs.PublishInbound output) {
        if (output.dropReason != null) {
            LOG.debug("PUBLISH to '{}' dropped by an interceptor: {}", output.publish.topic, output.dropReason);
        }
        return output.dropReason != null;
    }

    /** Outbound interceptors; the ACL filtering deliveries among them guards, and fails closed. */
    static final ChainWalk<PublishOutboundInterceptor, PublishOutboundInput, PluginOutputs.PublishOutbound>
            OUTBOUND = new ChainWalk<>() {
                @Override
                String guards(Plugin<PublishOutboundInterceptor> plugin) {
                    return plugin.service instanceof Authorizer ? "authorizer" : null;
                }

                @Override
                PluginOutputs.PublishOutbound next(PluginOutputs.PublishOutbound previous) {
                    return new PluginOutputs.PublishOutbound(previous.publish);
                }

                @Override
                void ask(PublishOutboundInterceptor plugin, PublishOutboundInput input,
                        PluginOutputs.PublishOutbound output) {
                    plugin.onOutboundPublish(input, output);
                }

                @Override
                boolean decided(PluginOutputs.PublishOutbound output) {
                    return output.dropReason != null;
                }

                @Override
                PluginOutputs.PublishOutbound closed(String why) {
                    // only the reason matters to a dropped delivery
                    PluginOutputs.PublishOutbound dropped = new PluginOutputs.PublishOutbound(
                            new PluginOutputs.Publish("-", new byte[0], 0, false, -1,
                                    io.meridianmq.sdk.message.PublishProperties.NONE));
                    dropped.dropReason = why;
                    return dropped;
                }
            };
}
