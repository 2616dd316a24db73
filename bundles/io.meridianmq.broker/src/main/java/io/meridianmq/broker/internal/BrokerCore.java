package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.HashMap;
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
import io.meridianmq.sdk.auth.AuthenticationRequest;
import io.meridianmq.sdk.auth.AuthenticationResult;
import io.meridianmq.sdk.auth.Authenticator;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.Decision;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.RetainedMessageStore;

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
@Component(service = Broker.class, configurationPid = "io.meridianmq.broker", immediate = true)
public class BrokerCore implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerCore.class);

    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    RetainedMessageStore retained;

    /** Sorted by ranking, lowest first (DS orders them so); we walk it from the end. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Authenticator> authenticators;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Authorizer> authorizers;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<io.meridianmq.sdk.auth.EnhancedAuthenticator> enhancedAuthenticators = List.of();

    private final SubscriptionTree subscriptions = new SubscriptionTree();
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    /** Serialises connects, takeovers, disconnects and expiry; never taken on the publish path. */
    private final Object registryLock = new Object();
    private final AtomicLong droppedMessages = new AtomicLong();
    private volatile BrokerSettings settings = BrokerSettings.DEFAULTS;
    private ExecutorService[] offlineExecutors;
    private ScheduledExecutorService timers;

    @Activate
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
        LOG.info("Meridian broker core started: {}", settings.describe());
    }

    @Modified
    void modified(Map<String, Object> config) {
        settings = BrokerSettings.from(config, settings);
        LOG.info("Broker settings now in force: {}", settings.describe());
    }

    @Deactivate
    void deactivate() {
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

    // ---- used by sessions and handles ----

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

    @Override
    public BrokerCapabilities capabilities() {
        BrokerSettings s = settings;
        return new BrokerCapabilities(s.maximumQos(), s.retainAvailable());
    }

    @Override
    public Optional<io.meridianmq.sdk.auth.EnhancedAuthenticator> enhancedAuthenticator(String method) {
        List<io.meridianmq.sdk.auth.EnhancedAuthenticator> all = enhancedAuthenticators;
        for (int i = all.size() - 1; i >= 0; i--) {
            if (method.equals(all.get(i).method())) {
                return Optional.of(all.get(i));
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
                request.protocolLevel(), Optional.ofNullable(request.username()));
        String finalClientId = clientId;
        CompletionStage<AuthenticationResult> authentication = request.authenticatedBy() != null
                ? CompletableFuture.completedFuture(AuthenticationResult.allow())
                : authenticate(identity, request);
        return authentication.thenApply(result -> {
            if (result.decision() != Decision.ALLOW) {
                ConnectReturnCode code = request.username() == null ? ConnectReturnCode.NOT_AUTHORIZED
                        : ConnectReturnCode.BAD_USERNAME_OR_PASSWORD;
                return ConnectResult.refused(code, finalClientId,
                        result.reason().orElse("refused by authentication"));
            }
            ClientIdentity known = result.username().isPresent()
                    ? new ClientIdentity(finalClientId, identity.remoteAddress(), identity.listenerName(),
                            identity.protocolLevel(), result.username())
                    : identity;
            return attach(known, request, connection);
        });
    }

    private CompletionStage<AuthenticationResult> authenticate(ClientIdentity identity, ConnectRequest request) {
        List<Authenticator> chain = authenticators;
        AuthenticationRequest authRequest = new AuthenticationRequest() {
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
        return authenticate(chain, chain.size() - 1, authRequest);
    }

    private CompletionStage<AuthenticationResult> authenticate(List<Authenticator> chain, int index,
            AuthenticationRequest request) {
        if (index < 0) {
            return CompletableFuture.completedFuture(AuthenticationResult.deny("no authenticator accepted the client"));
        }
        Authenticator authenticator = chain.get(index);
        CompletionStage<AuthenticationResult> stage;
        try {
            stage = authenticator.authenticate(request);
        } catch (RuntimeException e) {
            LOG.error("Authenticator {} failed for client {}; refusing the client", authenticator.getClass().getName(),
                    request.client(), e);
            return CompletableFuture.completedFuture(AuthenticationResult.deny("authenticator failed: " + e));
        }
        return stage.handle((result, failure) -> {
            if (failure != null || result == null) {
                LOG.error("Authenticator {} failed for client {}; refusing the client: {}",
                        authenticator.getClass().getName(), request.client(), failure);
                return CompletableFuture.completedFuture(AuthenticationResult.deny("authenticator failed"));
            }
            if (result.decision() == Decision.NEXT) {
                return authenticate(chain, index - 1, request);
            }
            return CompletableFuture.completedFuture(result);
        }).thenCompose(s -> s);
    }

    private ConnectResult attach(ClientIdentity identity, ConnectRequest request, ClientConnection connection) {
        String clientId = identity.clientId();
        Session session;
        boolean present;
        ClientConnection previous;
        synchronized (registryLock) {
            Session existing = sessions.get(clientId);
            previous = existing == null ? null : existing.owner;
            if (existing != null && request.cleanStart()) {
                Session old = existing;
                old.owner = null;
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
        }
        if (previous != null) {
            LOG.info("Client {}: taking over the session of the existing connection with that client id", identity);
            previous.close(DisconnectReason.SESSION_TAKEN_OVER,
                    "session taken over by a new connection with the same client id");
        }
        ClientSessionHandle handle = new ClientSessionHandle(this, session, identity, connection, request.will(),
                request.receiveMaximum());
        return new ConnectResult(ConnectReturnCode.ACCEPTED, present, clientId, handle, null);
    }

    /** Called when a connection of {@code session} ended. */
    void detach(Session session, ClientConnection connection) {
        synchronized (registryLock) {
            if (session.owner == connection) {
                session.owner = null;
                if (session.expirySeconds == 0) {
                    sessions.remove(session.clientId, session);
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
        }
        LOG.info("Session of client '{}' expired", session.clientId);
        session.submit(session::discard);
    }

    // ---- authorization ----

    boolean hasAuthorizers() {
        return !authorizers.isEmpty();
    }

    CompletionStage<Decision> authorizePublish(ClientInfo client, String topic, int qos, boolean retain) {
        List<Authorizer> chain = authorizers;
        return authorize(chain, chain.size() - 1, a -> a.authorizePublish(client, topic, qos, retain), client);
    }

    CompletionStage<Decision> authorizeSubscribe(ClientInfo client, String filter, int qos) {
        List<Authorizer> chain = authorizers;
        return authorize(chain, chain.size() - 1, a -> a.authorizeSubscribe(client, filter, qos), client);
    }

    private CompletionStage<Decision> authorize(List<Authorizer> chain, int index,
            java.util.function.Function<Authorizer, CompletionStage<Decision>> call, ClientInfo client) {
        if (index < 0) {
            return CompletableFuture.completedFuture(Decision.ALLOW);
        }
        Authorizer authorizer = chain.get(index);
        CompletionStage<Decision> stage;
        try {
            stage = call.apply(authorizer);
        } catch (RuntimeException e) {
            LOG.error("Authorizer {} failed for client {}; denying", authorizer.getClass().getName(), client, e);
            return CompletableFuture.completedFuture(Decision.DENY);
        }
        return stage.handle((decision, failure) -> {
            if (failure != null || decision == null) {
                LOG.error("Authorizer {} failed for client {}; denying: {}", authorizer.getClass().getName(), client,
                        failure);
                return CompletableFuture.completedFuture(Decision.DENY);
            }
            if (decision == Decision.NEXT) {
                return authorize(chain, index - 1, call, client);
            }
            return CompletableFuture.completedFuture(decision);
        }).thenCompose(s -> s);
    }

    // ---- routing ----

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
    }

    /**
     * Routes a message: updates retained state, then delivers it to every matching session once,
     * at the highest QoS of its matching subscriptions capped by the message's QoS, and to one
     * member of every matching shared subscription group. Returns how many sessions it went to.
     */
    int route(Message message) {
        if (message.retain()) {
            if (message.payload().length == 0) {
                retained.remove(message.topic());
            } else {
                retained.put(new RetainedMessage(message.topic(), message.payload(), message.qos(),
                        message.properties(), message.expiresAtMillis() == Long.MAX_VALUE ? 0 : message.expiresAtMillis()));
            }
        }
        Map<Session, Plan> plans = new HashMap<>();
        List<SubscriptionTree.SharedGroup> groups = new ArrayList<>(0);
        String publisher = message.publisherId();
        subscriptions.match(message.topic(), new SubscriptionTree.MatchVisitor() {
            @Override
            public void subscription(Subscription s) {
                if (s.noLocal() && publisher != null && publisher.equals(s.session().clientId)) {
                    return;
                }
                plans.computeIfAbsent(s.session(), k -> new Plan()).add(s);
            }

            @Override
            public void sharedGroup(SubscriptionTree.SharedGroup group) {
                groups.add(group);
            }
        });
        int delivered = 0;
        for (Map.Entry<Session, Plan> e : plans.entrySet()) {
            Session session = e.getKey();
            Plan plan = e.getValue();
            Session.Delivery d = new Session.Delivery(message, Math.min(message.qos(), plan.qos),
                    plan.retainAsPublished && message.retain(), plan.ids(), null);
            session.submit(() -> session.deliver(d));
            delivered++;
        }
        for (SubscriptionTree.SharedGroup group : groups) {
            if (deliverShared(message, group, null)) {
                delivered++;
            }
        }
        return delivered;
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
        session.submit(() -> session.deliver(d));
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
            if (d == Decision.ALLOW) {
                route(m);
            } else {
                LOG.info("Client {}: will to '{}' denied by authorization; dropped", owner, w.topic());
            }
        });
    }

    /** For tests: the number of sessions known. */
    int sessionCount() {
        return sessions.size();
    }
}
