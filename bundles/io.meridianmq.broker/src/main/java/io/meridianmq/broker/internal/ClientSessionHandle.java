package io.meridianmq.broker.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.DropReason;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.storage.NoWrites;
import io.meridianmq.storage.SessionStore;

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

    static final int SUCCESS = 0x00;
    static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    static final int UNSPECIFIED_ERROR = 0x80;
    static final int IMPLEMENTATION_SPECIFIC_ERROR = 0x83;
    static final int NOT_AUTHORIZED = 0x87;
    static final int TOPIC_FILTER_INVALID = 0x8F;
    static final int QUOTA_EXCEEDED = 0x97;
    static final int PACKET_ID_NOT_FOUND = 0x92;

    /** The parts of the core this handle works with. */
    private final CoreParts core;
    private final Session session;
    /** Replaced when the client re-authenticates; read on any thread. */
    private volatile ClientIdentity identity;
    private final ClientConnection connection;
    private final int receiveMaximum;
    /** The session expiry the client connected with; its DISCONNECT may change it (connection's thread). */
    private long sessionExpirySeconds;
    private WillMessage will;
    private boolean ended;
    /** A plugin's session (SDK PluginSession): trusted, no authorizer is asked. */
    private final boolean trusted;
    /** Decides and applies this client's SUBSCRIBEs and UNSUBSCRIBEs. */
    private final SubscriptionRequests subscriptionRequests;
    /** This client's PUBACKs and PUBRECs, in order, each when it may go. */
    private final AcknowledgementOrder acknowledgements;
    /** Congested receivers of the PUBLISH being routed; reused, touched on the session's thread. */
    private final java.util.List<Session> congested = new java.util.ArrayList<>(0);
    /** Congested sessions this client's reading is paused for; touched on the session's thread. */
    private java.util.Set<Session> waitingFor; // made when a session first holds this client back
    /** The last authorization-dependent step; only touched on the connection's thread. */
    private CompletableFuture<Void> tail = DONE;

    ClientSessionHandle(CoreParts core, Session session, ClientIdentity identity, ClientConnection connection,
            WillMessage will, int receiveMaximum, long sessionExpirySeconds) {
        this.core = core;
        this.session = session;
        this.identity = identity;
        this.connection = connection;
        this.will = will;
        this.receiveMaximum = receiveMaximum;
        this.sessionExpirySeconds = sessionExpirySeconds;
        this.acknowledgements = new AcknowledgementOrder(session, core);
        this.trusted = connection instanceof PluginSessionLink;
        this.subscriptionRequests = new SubscriptionRequests(core, session, trusted);
    }

    @Override
    public String clientId() {
        return identity.clientId();
    }

    @Override
    public io.meridianmq.sdk.client.ClientInfo client() {
        return identity;
    }

    @Override
    public io.meridianmq.sdk.client.ClientInfo reauthenticated(io.meridianmq.sdk.auth.Identity who) {
        ClientIdentity updated = identity.as(who);
        identity = updated;
        session.identity = updated;
        return updated;
    }

    @Override
    public void open() {
        session.identity = identity;
        session.open(connection, receiveMaximum, sessionExpirySeconds);
        core.events.clientConnected(identity);
    }

    @Override
    public void publish(InboundPublish publish, IntConsumer onAccepted) {
        core.traffic.received(publish.qos(), publish.payload().length);
        boolean authorize = core.plugins.hasAuthorizers() && !trusted;
        boolean intercept = core.plugins.hasInboundInterceptors();
        if (!authorize && !intercept && tail.isDone()) {
            submitPublish(publish, onAccepted, SUCCESS);
            return;
        }
        // plugins run on plugin threads; chaining keeps this client's messages in order
        tail = tail.thenCompose(v -> authorize
                ? core.plugins.authorizePublish(identity, publish.topic(), publish.qos(), publish.retain())
                : CompletableFuture.completedFuture((PluginOutputs.Authorization) null))
                .thenCompose(decision -> {
                    if (decision != null && decision.verdict != PluginOutputs.Verdict.ALLOW) {
                        LOG.info("Client {}: PUBLISH to '{}' denied by authorization{}; dropped", identity,
                                publish.topic(), decision.reason == null ? "" : " (" + decision.reason + ")");
                        core.traffic.dropped(DropReason.NOT_AUTHORIZED);
                        submitPublish(publish, onAccepted, NOT_AUTHORIZED);
                        return DONE;
                    }
                    if (!intercept) {
                        submitPublish(publish, onAccepted, SUCCESS);
                        return DONE;
                    }
                    PluginOutputs.Publish modifiable = new PluginOutputs.Publish(publish.topic(), publish.payload(),
                            publish.qos(), publish.retain(), publish.messageExpirySeconds(), publish.properties());
                    return core.plugins.interceptInbound(identity, modifiable).thenAccept(out -> {
                        if (out.dropReason != null) {
                            core.dropped(identity, publish.topic(), DropReason.PLUGIN_DROPPED, (out.notTaken
                                    ? "not taken, a plugin could not hand it on: " : "dropped by a plugin: ")
                                    + out.dropReason);
                            submitPublish(publish, onAccepted, out.notTaken ? UNSPECIFIED_ERROR
                                    : IMPLEMENTATION_SPECIFIC_ERROR);
                            return;
                        }
                        PluginOutputs.Publish p = out.publish;
                        int qos = Math.min(p.qos, core.settings().maximumQos());
                        // the packet id and QoS of the client's own exchange stay as they were
                        InboundPublish changed = new InboundPublish(publish.packetId(), p.topic, p.payload,
                                publish.qos(), p.retain, p.messageExpiry == null ? -1 : p.messageExpiry,
                                p.properties());
                        submitPublish(changed, onAccepted, SUCCESS, qos, out.gate);
                    });
                }).toCompletableFuture();
    }

    /** A topic for a log line: long ones are cut (the limit on topic length is what refused them). */
    private static String abbreviated(String topic) {
        return topic.length() <= 200 ? topic : topic.substring(0, 200) + "...";
    }

    private void submitPublish(InboundPublish publish, IntConsumer onAccepted, int verdict) {
        submitPublish(publish, onAccepted, verdict, publish.qos(), null);
    }

    private void submitPublish(InboundPublish publish, IntConsumer onAccepted, int verdict, int routeQos) {
        submitPublish(publish, onAccepted, verdict, routeQos, null);
    }

    /**
     * Routes (unless {@code verdict} is an error) and acknowledges in the session's mailbox.
     *
     * @param routeQos the QoS the message is routed at (an interceptor may change it)
     * @param handedOn what the acknowledgement also waits for (a plugin handing the message on), or null
     */
    private void submitPublish(InboundPublish publish, IntConsumer onAccepted, int verdict, int routeQos,
            java.util.concurrent.CompletableFuture<?> handedOn) {
        session.submit(() -> {
            boolean durable = core.durable() && publish.qos() > 0;
            SessionStore.Batch batch = durable ? core.store().batch() : null;
            if (publish.qos() == 2 && !session.beginIncomingQos2(publish.packetId(), batch != null ? batch : NoWrites.INSTANCE)) {
                // a resent QoS 2 PUBLISH we already routed: acknowledge again, do not route twice
                acknowledgements.acknowledge(onAccepted, SUCCESS, false);
                return;
            }
            int reason = verdict;
            if (verdict == SUCCESS && RetainedQuota.isSys(publish.topic())) {
                // the broker's own namespace: a client's message there would pass for the broker's figures
                LOG.info("Client {}: PUBLISH to '{}' refused: $SYS topics are the broker's own", identity,
                        abbreviated(publish.topic()));
                core.dropped(identity, publish.topic(), DropReason.NOT_AUTHORIZED, "$SYS is the broker's own");
                reason = NOT_AUTHORIZED;
            }
            if (reason == SUCCESS) {
                String over = core.limits.publishProblem(publish.topic(), publish.retain(), publish.payload().length);
                if (over != null) {
                    // 3.1.1 has no negative PUBACK: acknowledged and dropped, as for a denied PUBLISH
                    core.limits.refused(over.startsWith("retained") ? "retained" : "topic", identity.clientId(),
                            "PUBLISH to '" + abbreviated(publish.topic()) + "' refused (0x97): " + over);
                    core.dropped(identity, publish.topic(), DropReason.QUOTA_EXCEEDED, over);
                    reason = QUOTA_EXCEEDED;
                }
            }
            if (reason == SUCCESS) {
                long now = System.currentTimeMillis();
                Message message = new Message(publish.topic(), publish.payload(), routeQos, publish.retain(),
                        publish.properties(), Message.expiryFrom(publish.messageExpirySeconds(), now), identity.clientId());
                congested.clear();
                reason = core.router.route(message, batch, congested::add) > 0 ? SUCCESS : NO_MATCHING_SUBSCRIBERS;
                congested.remove(session); // its own acknowledgements must flow: never wait for itself
                if (publish.qos() == 0) {
                    // nothing to hold back: stop reading the client until the receivers catch up
                    congested.forEach(this::pauseFor);
                    congested.clear();
                }
            } else if (batch != null) {
                batch.submit();
            }
            if (publish.qos() > 0) {
                // PUBACK/PUBREC only once the message is on disk for every persistent session it went to
                // and only once congested receivers caught up: the client's in-flight window then
                // holds it back, without a queue growing anywhere (back pressure for QoS 1/2)
                acknowledgements.acknowledge(onAccepted, reason,
                        batch != null && (!batch.isEmpty() || publish.retain()), batch, congested, handedOn);
                congested.clear();
            }
        });
    }

    /**
     * A session this client publishes to is congested: stop reading this client until it is
     * relieved. Runs on this session's thread; the client's own session never pauses it (it must
     * go on reading the client's acknowledgements).
     */
    private void pauseFor(Session congested) {
        if (waitingFor == null) {
            waitingFor = new java.util.HashSet<>();
        }
        if (congested == session || !waitingFor.add(congested)) {
            return;
        }
        connection.pauseReading();
        core.router.whenRelievedOrLater(congested, () -> session.submitUrgent(() -> {
            waitingFor.remove(congested);
            connection.resumeReading();
        }));
    }

    @Override
    public void release(int packetId, IntConsumer onReleased) {
        session.submit(() -> {
            onReleased.accept(session.endIncomingQos2(packetId) ? SUCCESS : PACKET_ID_NOT_FOUND);
            session.markWritten();
        });
    }

    @Override
    public void acknowledge(int packetId) {
        session.submitUrgent(() -> session.acknowledged(packetId, connection));
    }

    @Override
    public void received(int packetId) {
        session.submitUrgent(() -> session.received(packetId, false, connection));
    }

    /** An MQTT 5 PUBREC with an error reason code: the client refused the message. */
    public void receivedWithError(int packetId) {
        session.submitUrgent(() -> session.received(packetId, true, connection));
    }

    @Override
    public void complete(int packetId) {
        session.submitUrgent(() -> session.acknowledged(packetId, connection));
    }

    @Override
    public void writabilityChanged(boolean writable) {
        session.writabilityChanged(writable);
    }

    @Override
    public void subscribe(List<TopicSubscription> requested, Consumer<int[]> onGranted) {
        tail = subscriptionRequests.subscribe(tail, identity, requested, onGranted);
    }

    @Override
    public void unsubscribe(List<String> topicFilters, Consumer<int[]> onDone) {
        tail = subscriptionRequests.unsubscribe(tail, identity, topicFilters, onDone);
    }

    @Override
    public void disconnected(boolean publishWill, long sessionExpirySeconds) {
        if (ended) {
            return;
        }
        ended = true;
        WillMessage w = will;
        will = null;
        if (w != null) {
            core.cluster.willDecided(identity.clientId());
        }
        if (sessionExpirySeconds >= 0) {
            this.sessionExpirySeconds = sessionExpirySeconds;
        }
        core.registry.detach(session, connection, sessionExpirySeconds);
        long expiry = this.sessionExpirySeconds;
        core.events.clientDisconnected(identity, publishWill ? "connection closed without DISCONNECT" : "DISCONNECT");
        if (!publishWill || w == null) {
            if (core.plugins.hasDisconnectInterceptors()) {
                core.plugins.interceptDisconnect(identity, !publishWill); // they see it; there is no will to decide on
            }
            return;
        }
        if (core.plugins.hasDisconnectInterceptors()) {
            core.plugins.interceptDisconnect(identity, false).thenAccept(suppress -> {
                if (suppress) {
                    LOG.info("Client {}: will to '{}' suppressed by a plugin", identity, w.topic());
                } else {
                    handleWill(w, expiry);
                }
            });
            return;
        }
        handleWill(w, expiry);
    }

    private void handleWill(WillMessage w, long expiry) {
        if (w.delaySeconds() > 0 && expiry > 0) {
            session.submit(() -> {
                session.delayWill(identity, expiry != ConnectRequest.NEVER_EXPIRES
                        && expiry < w.delaySeconds() ? withDelay(w, expiry) : w);
                // said once the will is stored: from this line on, a crash does not lose it
                core.store().whenDurable(() -> LOG.info("Client {}: connection ended without DISCONNECT; its will "
                        + "to '{}' is sent in {} s unless it reconnects", identity, w.topic(),
                        Math.min(w.delaySeconds(), expiry)));
            });
        } else {
            LOG.info("Client {}: connection ended without DISCONNECT, publishing its will to '{}'", identity,
                    w.topic());
            core.wills.publish(identity, w);
        }
    }

    private static WillMessage withDelay(WillMessage w, long delay) {
        return new WillMessage(w.topic(), w.payload(), w.qos(), w.retain(), w.properties(), delay,
                w.messageExpirySeconds());
    }
}
