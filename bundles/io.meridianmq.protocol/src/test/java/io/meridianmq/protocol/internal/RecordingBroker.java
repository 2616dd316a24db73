package io.meridianmq.protocol.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import io.meridianmq.broker.AuthenticationExchange;
import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.PluginState;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.sdk.auth.AuthenticationStep;
import io.meridianmq.sdk.auth.Identity;
import io.meridianmq.sdk.client.ClientInfo;

/**
 * The broker core as the protocol layer sees it, reduced to what a connection's state machine
 * test needs: it accepts every CONNECT, records what the connection hands over, and answers
 * PUBLISH, PUBREL and SUBSCRIBE at once (or holds PUBLISH answers back, to fill the client's
 * receive maximum). Enhanced authentication method {@code "challenge"} asks once, then accepts
 * the answer {@code "right"}.
 */
final class RecordingBroker implements Broker {

    BrokerCapabilities capabilities = new BrokerCapabilities(2, true);
    /** When true, PUBLISHes are not answered (their acknowledgements wait). */
    boolean holdPublishAnswers;
    final List<ConnectRequest> connects = new ArrayList<>();
    final List<InboundPublish> published = new ArrayList<>();
    final List<TopicSubscription> subscribed = new ArrayList<>();
    final List<Integer> released = new ArrayList<>();
    final List<Integer> acknowledged = new ArrayList<>();
    ClientConnection connection;
    boolean disconnected;
    boolean willPublished;

    @Override
    public CompletionStage<ConnectResult> connect(ConnectRequest request, ClientConnection connection) {
        connects.add(request);
        this.connection = connection;
        String id = request.clientId().isEmpty() ? "assigned-1" : request.clientId();
        return CompletableFuture.completedFuture(ConnectResult.accepted(false, id, new Session(id, request)));
    }

    @Override
    public BrokerCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public SortedMap<String, Long> metrics() {
        return new TreeMap<>();
    }

    @Override
    public List<PluginState> plugins() {
        return List.of();
    }

    @Override
    public CompletionStage<Void> ready() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> authenticationInPlace() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean enhancedAuthenticationAvailable(String method) {
        return method.equals("challenge");
    }

    @Override
    public Optional<AuthenticationExchange> beginEnhancedAuthentication(String method, ClientInfo client) {
        if (!enhancedAuthenticationAvailable(method)) {
            return Optional.empty();
        }
        return Optional.of(new AuthenticationExchange() {
            private boolean asked;

            @Override
            public CompletionStage<AuthenticationStep> step(byte[] clientData) {
                if (!asked) {
                    asked = true;
                    return CompletableFuture.completedFuture(AuthenticationStep.challenge("who?".getBytes()));
                }
                return CompletableFuture.completedFuture(new String(clientData).equals("right")
                        ? AuthenticationStep.success("welcome".getBytes(), "alice")
                        : AuthenticationStep.failure("wrong answer"));
            }
        });
    }

    @Override
    public CompletionStage<Void> enhancedAuthenticationFailed(ConnectRequest request, String method, String reason) {
        return CompletableFuture.completedFuture(null);
    }

    private final class Session implements ClientSession {
        private final String id;
        private final ConnectingClient client;

        Session(String id, ConnectRequest request) {
            this.id = id;
            this.client = new ConnectingClient(id, request.remoteAddress(), request.listenerName(),
                    request.protocolLevel(), request.username(), null);
        }

        @Override
        public String clientId() {
            return id;
        }

        @Override
        public ClientInfo client() {
            return client;
        }

        @Override
        public ClientInfo reauthenticated(Identity identity) {
            return client;
        }

        @Override
        public void open() {
        }

        @Override
        public void publish(InboundPublish publish, IntConsumer onAccepted) {
            published.add(publish);
            if (!holdPublishAnswers) {
                onAccepted.accept(0);
            }
        }

        @Override
        public void release(int packetId, IntConsumer onReleased) {
            released.add(packetId);
            onReleased.accept(0);
        }

        @Override
        public void acknowledge(int packetId) {
            acknowledged.add(packetId);
        }

        @Override
        public void received(int packetId) {
            acknowledged.add(packetId);
        }

        @Override
        public void complete(int packetId) {
            acknowledged.add(packetId);
        }

        @Override
        public void subscribe(List<TopicSubscription> subscriptions, Consumer<int[]> onGranted) {
            subscribed.addAll(subscriptions);
            onGranted.accept(subscriptions.stream().mapToInt(TopicSubscription::qos).toArray());
        }

        @Override
        public void unsubscribe(List<String> topicFilters, Consumer<int[]> onDone) {
            onDone.accept(new int[topicFilters.size()]);
        }

        @Override
        public void disconnected(boolean publishWill, long sessionExpirySeconds) {
            disconnected = true;
            willPublished = publishWill;
        }
    }

    @Override
    public io.meridianmq.broker.BrokerStatistics statistics() {
        throw new UnsupportedOperationException("the connection tests do not read statistics");
    }

    @Override
    public io.meridianmq.broker.Bans bans() {
        throw new UnsupportedOperationException("the connection tests do not ban");
    }

    @Override
    public java.util.List<io.meridianmq.broker.SessionSummary> sessions() {
        return java.util.List.of();
    }

    @Override
    public boolean removeOfflineSession(String clientId) {
        return false;
    }
}
