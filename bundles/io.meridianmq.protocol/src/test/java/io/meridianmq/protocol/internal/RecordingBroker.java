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

    /** What this broker saw, as statistics: the PUBLISHes and SUBSCRIBEs handed to it; it delivers and keeps nothing. */
    @Override
    public io.meridianmq.broker.BrokerStatistics statistics() {
        return new io.meridianmq.broker.BrokerStatistics() {
            @Override
            public long messagesReceived(int qos) {
                return published.stream().filter(p -> p.qos() == qos).count();
            }

            @Override
            public long bytesReceived(int qos) {
                return published.stream().filter(p -> p.qos() == qos).mapToLong(p -> p.payload().length).sum();
            }

            @Override
            public long messagesSent(int qos) {
                return 0;
            }

            @Override
            public long bytesSent(int qos) {
                return 0;
            }

            @Override
            public long dropped(io.meridianmq.broker.DropReason reason) {
                return 0;
            }

            @Override
            public long sessionsOnline() {
                return connects.size();
            }

            @Override
            public long sessionsOffline() {
                return 0;
            }

            @Override
            public long subscriptions() {
                return subscribed.size();
            }

            @Override
            public long sharedSubscriptions() {
                return subscribed.stream().filter(t -> t.topicFilter().startsWith("$share/")).count();
            }

            @Override
            public long retainedMessages() {
                return 0;
            }

            @Override
            public long retainedBytes() {
                return 0;
            }

            @Override
            public long inflightMessages() {
                return 0;
            }

            @Override
            public long queuedMessages() {
                return 0;
            }

            @Override
            public long queuedBytes() {
                return 0;
            }

            @Override
            public long sessionsExpired() {
                return 0;
            }

            @Override
            public java.util.Map<String, Long> authenticationFailures() {
                return java.util.Map.of();
            }

            @Override
            public java.util.Map<String, Long> authorizationDenials() {
                return java.util.Map.of();
            }

            @Override
            public List<io.meridianmq.broker.PluginCalls> pluginCalls() {
                return List.of();
            }

            @Override
            public io.meridianmq.broker.HistogramSnapshot storeCommitLatency() {
                return null; // it keeps nothing on disk
            }

            @Override
            public io.meridianmq.broker.HistogramSnapshot storeCommitBatchSize() {
                return null;
            }
        };
    }

    /** Bans kept in a map; they refuse nothing here (the core checks them, not the connection). */
    @Override
    public io.meridianmq.broker.Bans bans() {
        return bans;
    }

    private final io.meridianmq.broker.Bans bans = new io.meridianmq.broker.Bans() {
        private final java.util.Map<String, io.meridianmq.broker.Ban> byKey = new java.util.LinkedHashMap<>();

        @Override
        public Added add(io.meridianmq.broker.Ban.Kind kind, String value, java.time.Duration duration, String reason,
                String by) {
            java.time.Instant now = java.time.Instant.now();
            io.meridianmq.broker.Ban ban = new io.meridianmq.broker.Ban(kind, value,
                    duration == null ? null : now.plus(duration), reason, by, now);
            byKey.put(kind.word() + ":" + value, ban);
            return new Added(ban, 0);
        }

        @Override
        public boolean remove(io.meridianmq.broker.Ban.Kind kind, String value) {
            return byKey.remove(kind.word() + ":" + value) != null;
        }

        @Override
        public List<io.meridianmq.broker.Ban> list() {
            return List.copyOf(byKey.values());
        }
    };

    @Override
    public java.util.List<io.meridianmq.broker.SessionSummary> sessions() {
        return java.util.List.of();
    }

    @Override
    public boolean removeOfflineSession(String clientId) {
        return false;
    }
}
