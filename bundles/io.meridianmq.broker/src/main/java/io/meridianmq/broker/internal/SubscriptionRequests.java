package io.meridianmq.broker.internal;

import static io.meridianmq.broker.internal.ClientSessionHandle.NOT_AUTHORIZED;
import static io.meridianmq.broker.internal.ClientSessionHandle.NO_SUBSCRIPTION_EXISTED;
import static io.meridianmq.broker.internal.ClientSessionHandle.QUOTA_EXCEEDED;
import static io.meridianmq.broker.internal.ClientSessionHandle.SUCCESS;
import static io.meridianmq.broker.internal.ClientSessionHandle.TOPIC_FILTER_INVALID;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.sdk.topic.Topics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's SUBSCRIBE and UNSUBSCRIBE requests: what the SUBSCRIBE interceptors and the
 * authorizers make of each filter, the limits (topic shape, {@code max_subscriptions}), the
 * change to the session, the answer, and the retained messages a new subscription gets.
 *
 * <p>Threading: called on the connection's thread; plugins answer on theirs; the session is
 * changed on its own thread.
 */
final class SubscriptionRequests {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRequests.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final CoreParts core;
    private final Session session;
    /** A plugin's session: no authorizer is asked. */
    private final boolean trusted;

    SubscriptionRequests(CoreParts core, Session session, boolean trusted) {
        this.core = core;
        this.session = session;
        this.trusted = trusted;
    }

    /** {@code $share/NAME/filter} split into share name and filter, or {@code null} if not shared. */
    static String[] splitShared(String filter) {
        if (!filter.startsWith("$share/")) {
            return null;
        }
        int slash = filter.indexOf('/', 7);
        if (slash < 0 || slash == 7 || slash == filter.length() - 1) {
            return new String[] {null, null}; // malformed shared subscription
        }
        String name = filter.substring(7, slash);
        if (name.indexOf('+') >= 0 || name.indexOf('#') >= 0) {
            return new String[] {null, null};
        }
        return new String[] {name, filter.substring(slash + 1)};
    }

    /**
     * Decides a SUBSCRIBE (interceptors, then authorizers, on their threads) and applies it on
     * the session's thread once {@code before} is done, so that a client's packets take effect in
     * order; the SUBACK goes once the subscriptions would survive a crash.
     *
     * @return the step after which the next of this client's packets may take effect
     */
    CompletableFuture<Void> subscribe(CompletableFuture<Void> before, ClientIdentity identity,
            List<TopicSubscription> requested, Consumer<int[]> onGranted) {
        int n = requested.size();
        boolean intercept = core.plugins.hasSubscribeInterceptors();
        boolean authorize = core.plugins.hasAuthorizers() && !trusted;
        String[] refused = new String[n];
        @SuppressWarnings("unchecked")
        CompletableFuture<PluginOutputs.Authorization>[] decisions = new CompletableFuture[n];
        List<TopicSubscription> subscriptions = new java.util.ArrayList<>(requested);
        CompletableFuture<Void> intercepted = DONE;
        if (intercept) {
            @SuppressWarnings("unchecked")
            CompletableFuture<PluginOutputs.Subscribe>[] entries = new CompletableFuture[n];
            for (int i = 0; i < n; i++) {
                TopicSubscription s = requested.get(i);
                entries[i] = core.plugins.interceptSubscribe(identity, new PluginOutputs.Subscribe(s.topicFilter(), s.qos()))
                        .toCompletableFuture();
            }
            intercepted = CompletableFuture.allOf(entries).thenRun(() -> {
                for (int i = 0; i < n; i++) {
                    PluginOutputs.Subscribe e = entries[i].join();
                    TopicSubscription s = requested.get(i);
                    refused[i] = e.refusal;
                    subscriptions.set(i, new TopicSubscription(e.topicFilter, e.qos, s.noLocal(), s.retainAsPublished(),
                            s.retainHandling(), s.subscriptionId()));
                }
            });
        }
        CompletableFuture<Void> authorized = intercepted.thenCompose(v -> {
            for (int i = 0; i < n; i++) {
                TopicSubscription s = subscriptions.get(i);
                String[] shared = splitShared(s.topicFilter());
                String filter = shared == null ? s.topicFilter() : shared[1];
                decisions[i] = authorize && refused[i] == null && filter != null && Topics.isValidTopicFilter(filter)
                        ? core.plugins.authorizeSubscribe(identity, filter, s.qos()).toCompletableFuture()
                        : CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.allOf(decisions);
        });
        return before.thenCompose(v -> authorized).thenRun(() -> session.submit(() -> {
            int[] granted = new int[n];
            boolean[] sendRetained = new boolean[n];
            String[] filters = new String[n];
            int maxQos = core.settings().maximumQos();
            BrokerSettings.StateLimits limits = core.settings().limits();
            for (int i = 0; i < n; i++) {
                TopicSubscription s = subscriptions.get(i);
                String[] shared = splitShared(s.topicFilter());
                String filter = shared == null ? s.topicFilter() : shared[1];
                String shareName = shared == null ? null : shared[0];
                filters[i] = filter;
                if (refused[i] != null) {
                    LOG.info("Client {}: SUBSCRIBE to '{}' refused by a plugin: {}", identity, s.topicFilter(), refused[i]);
                    granted[i] = NOT_AUTHORIZED;
                } else if (filter == null || !Topics.isValidTopicFilter(filter)) {
                    LOG.info("Client {}: SUBSCRIBE to invalid topic filter '{}' refused", identity, s.topicFilter());
                    granted[i] = TOPIC_FILTER_INVALID;
                } else if (decisions[i].join() != null && decisions[i].join().verdict != PluginOutputs.Verdict.ALLOW) {
                    LOG.info("Client {}: SUBSCRIBE to '{}' denied by authorization", identity, s.topicFilter());
                    granted[i] = NOT_AUTHORIZED;
                } else if (limits.topicProblem(filter) != null) {
                    core.limits.refused("topic", identity.clientId(), "SUBSCRIBE refused (0x97): " + limits.topicProblem(filter));
                    granted[i] = QUOTA_EXCEEDED; // 3.1.1: SUBACK 0x80
                } else if (!session.roomForSubscription(filter, shareName, limits.maxSubscriptions())) {
                    core.limits.refused("subscriptions", identity.clientId(), "SUBSCRIBE to '" + s.topicFilter()
                            + "' refused (0x97): max_subscriptions (" + limits.maxSubscriptions() + ") reached");
                    granted[i] = QUOTA_EXCEEDED;
                } else {
                    granted[i] = Math.min(maxQos, Math.min(2, Math.max(0, s.qos())));
                    boolean existed = session.addSubscription(new Subscription(session, filter, granted[i],
                            s.noLocal(), s.retainAsPublished(), s.subscriptionId(), shareName));
                    // retained messages: never for shared subscriptions; retain handling 1 = only when new
                    sendRetained[i] = shareName == null
                            && (s.retainHandling() == 0 || (s.retainHandling() == 1 && !existed));
                    core.events.subscribed(identity, s.topicFilter(), granted[i]);
                }
            }
            Runnable answer = () -> {
                onGranted.accept(granted);
                session.markWritten();
                sendRetained(identity, subscriptions, granted, sendRetained, filters);
            };
            if (session.persisted()) {
                // SUBACK once the subscription would survive a crash
                core.store().whenDurable(() -> session.submit(answer));
            } else {
                answer.run();
            }
        }));
    }

    /** Sends the retained messages that new subscriptions are to get (after their SUBACK). */
    private void sendRetained(ClientIdentity identity, List<TopicSubscription> subscriptions, int[] granted,
            boolean[] sendRetained, String[] filters) {
        int n = granted.length;
        for (int i = 0; i < n; i++) {
            if (!sendRetained[i]) {
                continue;
            }
            TopicSubscription s = subscriptions.get(i);
            int max = granted[i];
            int[] ids = s.subscriptionId() == 0 ? null : new int[] {s.subscriptionId()};
            boolean checkRetained = core.plugins.hasAuthorizers() && !trusted;
            String filter = filters[i];
            // the scan may read the whole store (a subscription to '#'): off the network thread
            core.retained.scan(filter, max, ids, found -> {
                if (!checkRetained) {
                    session.submit(() -> found.forEach(session::deliver));
                    return;
                }
                for (Delivery d : found) {
                    // a wildcard subscription may cover topics the ACL keeps from this client
                    core.plugins.authorizeSubscribe(identity, d.message.topic(), d.qos).thenAccept(decision -> {
                        if (decision.verdict == PluginOutputs.Verdict.ALLOW) {
                            session.submit(() -> session.deliver(d));
                        }
                    });
                }
            });
        }
    }

    /** Applies an UNSUBSCRIBE once {@code before} is done; the UNSUBACK goes once it is durable. */
    CompletableFuture<Void> unsubscribe(CompletableFuture<Void> before, ClientIdentity identity,
            List<String> topicFilters, Consumer<int[]> onDone) {
        return before.thenRun(() -> session.submit(() -> {
            int[] reasons = new int[topicFilters.size()];
            for (int i = 0; i < reasons.length; i++) {
                String[] shared = splitShared(topicFilters.get(i));
                boolean removed = shared == null ? session.removeSubscription(topicFilters.get(i), null)
                        : shared[0] != null && session.removeSubscription(shared[1], shared[0]);
                reasons[i] = removed ? SUCCESS : NO_SUBSCRIPTION_EXISTED;
                if (removed) {
                    core.events.unsubscribed(identity, topicFilters.get(i));
                }
            }
            if (session.persisted()) {
                core.store().whenDurable(() -> session.submit(() -> {
                    onDone.accept(reasons);
                    session.markWritten();
                }));
            } else {
                onDone.accept(reasons);
                session.markWritten();
            }
        }));
    }
}
