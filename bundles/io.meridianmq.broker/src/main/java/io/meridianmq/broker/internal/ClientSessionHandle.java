package io.meridianmq.broker.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.sdk.auth.Decision;
import io.meridianmq.sdk.topic.Topics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's handle on its session. Work that touches session state is submitted to the
 * session's mailbox; when authorizer plugins are registered, their (possibly asynchronous)
 * decisions are chained so that a client's packets still take effect in the order they came.
 */
final class ClientSessionHandle implements ClientSession {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSessionHandle.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final BrokerCore core;
    private final Session session;
    private final ClientIdentity identity;
    private final ClientConnection connection;
    private WillMessage will;
    private boolean ended;
    /** The last authorization-dependent step; only touched on the connection's thread. */
    private CompletableFuture<Void> tail = DONE;

    ClientSessionHandle(BrokerCore core, Session session, ClientIdentity identity, ClientConnection connection,
            WillMessage will) {
        this.core = core;
        this.session = session;
        this.identity = identity;
        this.connection = connection;
        this.will = will;
    }

    @Override
    public String clientId() {
        return identity.clientId();
    }

    @Override
    public void open() {
        session.submit(() -> session.attach(connection));
    }

    @Override
    public void publish(InboundPublish publish, Runnable onAccepted) {
        if (!core.hasAuthorizers() && tail.isDone()) {
            submitPublish(publish, onAccepted, true);
            return;
        }
        CompletionStage<Decision> decision = core.authorizePublish(identity, publish.topic(), publish.qos(),
                publish.retain());
        tail = tail.thenCompose(v -> decision).thenAccept(d -> {
            if (d != Decision.ALLOW) {
                LOG.info("Client {}: PUBLISH to '{}' denied by authorization; dropped", identity, publish.topic());
            }
            submitPublish(publish, onAccepted, d == Decision.ALLOW);
        }).toCompletableFuture();
    }

    private void submitPublish(InboundPublish publish, Runnable onAccepted, boolean allowed) {
        session.submit(() -> {
            if (publish.qos() == 2 && !session.beginIncomingQos2(publish.packetId())) {
                // a resent QoS 2 PUBLISH we already routed: acknowledge again, do not route twice
                onAccepted.run();
                session.markWritten();
                return;
            }
            if (allowed) {
                core.route(publish.topic(), publish.payload(), publish.qos(), publish.retain());
            }
            if (publish.qos() > 0) {
                onAccepted.run();
                session.markWritten();
            }
        });
    }

    @Override
    public void release(int packetId, Runnable onReleased) {
        session.submit(() -> {
            session.endIncomingQos2(packetId);
            onReleased.run();
            session.markWritten();
        });
    }

    @Override
    public void acknowledge(int packetId) {
        session.submit(() -> session.acknowledged(packetId));
    }

    @Override
    public void received(int packetId) {
        session.submit(() -> session.received(packetId));
    }

    @Override
    public void complete(int packetId) {
        session.submit(() -> session.acknowledged(packetId));
    }

    @Override
    public void subscribe(List<TopicSubscription> subscriptions, Consumer<int[]> onGranted) {
        int n = subscriptions.size();
        @SuppressWarnings("unchecked")
        CompletableFuture<Decision>[] decisions = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            TopicSubscription s = subscriptions.get(i);
            decisions[i] = core.hasAuthorizers() && Topics.isValidTopicFilter(s.topicFilter())
                    ? core.authorizeSubscribe(identity, s.topicFilter(), s.qos()).toCompletableFuture()
                    : CompletableFuture.completedFuture(Decision.ALLOW);
        }
        tail = tail.thenCompose(v -> CompletableFuture.allOf(decisions)).thenRun(() -> session.submit(() -> {
            int[] granted = new int[n];
            for (int i = 0; i < n; i++) {
                TopicSubscription s = subscriptions.get(i);
                if (!Topics.isValidTopicFilter(s.topicFilter())) {
                    LOG.info("Client {}: SUBSCRIBE to invalid topic filter '{}' refused", identity, s.topicFilter());
                    granted[i] = 0x80;
                } else if (decisions[i].join() != Decision.ALLOW) {
                    LOG.info("Client {}: SUBSCRIBE to '{}' denied by authorization", identity, s.topicFilter());
                    granted[i] = 0x80;
                } else {
                    granted[i] = Math.min(2, Math.max(0, s.qos()));
                    session.addSubscription(s.topicFilter(), granted[i]);
                }
            }
            onGranted.accept(granted);
            session.markWritten();
            for (int i = 0; i < n; i++) {
                if (granted[i] != 0x80) {
                    int max = granted[i];
                    core.retained().forEachMatching(subscriptions.get(i).topicFilter(),
                            m -> session.deliver(m.topic(), m.payload(), Math.min(max, m.qos()), true));
                }
            }
        }));
    }

    @Override
    public void unsubscribe(List<String> topicFilters, Runnable onDone) {
        tail = tail.thenRun(() -> session.submit(() -> {
            for (String filter : topicFilters) {
                session.removeSubscription(filter);
            }
            onDone.run();
            session.markWritten();
        }));
    }

    @Override
    public void disconnected(boolean graceful) {
        if (ended) {
            return;
        }
        ended = true;
        WillMessage w = will;
        will = null;
        core.detach(session, connection);
        if (!graceful && w != null) {
            LOG.info("Client {}: connection lost without DISCONNECT, publishing its will to '{}'", identity, w.topic());
            publishWill(w);
        }
    }

    private void publishWill(WillMessage w) {
        if (!core.hasAuthorizers()) {
            core.route(w.topic(), w.payload(), w.qos(), w.retain());
            return;
        }
        core.authorizePublish(identity, w.topic(), w.qos(), w.retain()).thenAccept(d -> {
            if (d == Decision.ALLOW) {
                core.route(w.topic(), w.payload(), w.qos(), w.retain());
            } else {
                LOG.info("Client {}: will to '{}' denied by authorization; dropped", identity, w.topic());
            }
        });
    }
}
