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

    private abstract static class AuthorizeWalk<I> extends VerdictWalk<Authorizer, I, PluginOutputs.Authorization> {
        AuthorizeWalk() {
            super("authorizer");
        }

        @Override
        PluginOutputs.Authorization fresh() {
            return new PluginOutputs.Authorization();
        }

        @Override
        PluginOutputs.Authorization end(PluginOutputs.Authorization last) {
            PluginOutputs.Authorization allowed = fresh();
            allowed.allow(); // no authorizer decided: allowed, as without an ACL
            return allowed;
        }
    }

    static final ChainWalk<Authorizer, PublishAuthorizationInput, PluginOutputs.Authorization>
            AUTHORIZE_PUBLISH = new AuthorizeWalk<>() {
                @Override
                void ask(Authorizer plugin, PublishAuthorizationInput input, PluginOutputs.Authorization output) {
                    plugin.authorizePublish(input, output);
                }
            };

    static final ChainWalk<Authorizer, SubscribeAuthorizationInput, PluginOutputs.Authorization>
            AUTHORIZE_SUBSCRIBE = new AuthorizeWalk<>() {
                @Override
                void ask(Authorizer plugin, SubscribeAuthorizationInput input, PluginOutputs.Authorization output) {
                    plugin.authorizeSubscribe(input, output);
                }
            };

    /** An interceptor chain: disabled or failing interceptors are passed over. */
    private abstract static class InterceptWalk<P, I, O extends PluginOutput> extends ChainWalk<P, I, O> {
        @Override
        String guards(Plugin<P> plugin) {
            return null;
        }

        @Override
        O closed(String why) {
            throw new IllegalStateException("an interceptor chain never fails closed: " + why);
        }
    }

    static final ChainWalk<ConnectInterceptor, ConnectInput, PluginOutputs.Connect> CONNECT =
            new InterceptWalk<>() {
                @Override
                PluginOutputs.Connect next(PluginOutputs.Connect previous) {
                    return new PluginOutputs.Connect(previous.sessionExpiry);
                }

                @Override
                void ask(ConnectInterceptor plugin, ConnectInput input, PluginOutputs.Connect output) {
                    plugin.onConnect(input, output);
                }

                @Override
                boolean decided(PluginOutputs.Connect output) {
                    return output.refusal != null;
                }
            };

    static final ChainWalk<DisconnectInterceptor, DisconnectInput, PluginOutputs.Disconnect> DISCONNECT =
            new InterceptWalk<>() {
                @Override
                PluginOutputs.Disconnect next(PluginOutputs.Disconnect previous) {
                    return new PluginOutputs.Disconnect(previous.suppressWill);
                }

                @Override
                void ask(DisconnectInterceptor plugin, DisconnectInput input, PluginOutputs.Disconnect output) {
                    plugin.onDisconnect(input, output);
                }

                @Override
                boolean decided(PluginOutputs.Disconnect output) {
                    return false; // every interceptor sees the disconnect
                }
            };

    static final ChainWalk<SubscribeInterceptor, SubscribeInput, PluginOutputs.Subscribe> SUBSCRIBE =
            new InterceptWalk<>() {
                @Override
                PluginOutputs.Subscribe next(PluginOutputs.Subscribe previous) {
                    // a fresh output holding the entry as the previous interceptor left it
                    return new PluginOutputs.Subscribe(previous.topicFilter, previous.qos);
                }

                @Override
                void ask(SubscribeInterceptor plugin, SubscribeInput input, PluginOutputs.Subscribe output) {
                    plugin.onSubscribe(input, output);
                }

                @Override
                boolean decided(PluginOutputs.Subscribe output) {
                    return output.refusal != null;
                }
            };

    static final ChainWalk<PublishInboundInterceptor, PublishInboundInput, PluginOutputs.PublishInbound>
            INBOUND = new InterceptWalk<>() {
                @Override
                PluginOutputs.PublishInbound next(PluginOutputs.PublishInbound previous) {
                    return new PluginOutputs.PublishInbound(previous.publish);
                }

                @Override
                void ask(PublishInboundInterceptor plugin, PublishInboundInput input,
                        PluginOutputs.PublishInbound output) {
                    plugin.onInboundPublish(input, output);
                }

                @Override
                boolean decided(PluginOutputs.PublishInbound output) {
                    if (output.dropReason != null) {
                        LOG.debug("PUBLISH to '{}' dropped by an interceptor: {}", output.publish.topic,
                                output.dropReason);
                    }
                    return output.dropReason != null;
                }
            };

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
