package io.meridianmq.broker.internal;

import io.meridianmq.broker.DropReason;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.WillMessage;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.storage.SessionStore;

/**
 * What a {@link Session} needs of the rest of the broker, and the only way it reaches it: the
 * settings, the store, its threads, the route table, and the few decisions and hand-offs it
 * cannot make alone. Implemented by {@link CoreParts}; a test may give a session its own.
 *
 * <p>Every method may be called from any thread (a session calls them from its mailbox).
 */
interface SessionContext {

    BrokerSettings settings();

    SessionStore store();

    /** Whether the store keeps anything (persistent sessions are written only then). */
    boolean durable();

    /** A new store key for a queued message: unique and increasing over all sessions. */
    long nextSequence();

    /** Where the session's mailbox runs while no connection is attached. */
    Executor offlineExecutor(String clientId);

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit);

    RouteTable routes();

    /** The session's expiry interval passed with no client. */
    void expired(Session session);

    void publishWill(ClientIdentity owner, WillMessage will);

    /** A shared-subscription delivery the leaving session did not complete goes to another member. */
    void redeliverShared(Delivery delivery, Session leaving);

    /** Whether deliveries are authorized again before they are sent (an authorizer is installed). */
    boolean authorizesDeliveries();

    CompletionStage<PluginOutputs.Authorization> authorizeDelivery(ClientInfo subscriber, String topic, int qos);

    /** Whether outbound interceptors are installed. */
    boolean interceptsDeliveries();

    CompletionStage<PluginOutputs.PublishOutbound> interceptDelivery(ClientInfo subscriber,
            PluginOutputs.Publish copy);

    /** A message for {@code who} was dropped: counted by reason, and audit plugins are told ({@code why}). */
    void dropped(ClientIdentity who, String topic, DropReason reason, String why);

    /** The broker's message counters. */
    Traffic traffic();
}
