package io.meridianmq.broker.internal;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.meridianmq.broker.DropReason;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.storage.SessionStore;

/**
 * The parts of one running broker core, made together at activation and shared by the classes
 * that work with each other (the registry, the connect flow, the session handles); as
 * {@link SessionContext} it is all a {@link Session} sees of them.
 *
 * <p>The parts are final and thread-safe; {@link #settings} is replaced whole when the operator
 * changes {@code etc/io.meridianmq.broker.cfg} (any thread reads the latest).
 */
final class CoreParts implements SessionContext {

    final SessionStore store;
    /** The same store as {@link #store}, with what only routing needs. */
    private final ReplicatingStore replicating;
    final boolean durable;
    /** Store keys of queued messages: unique and increasing over all sessions. */
    final AtomicLong sequences = new AtomicLong();
    final CoreThreads threads;
    final PluginHost plugins;
    final BrokerEvents events;
    final ClusterLink cluster;
    final RouteTable routes;
    final RetainedMessages retained;
    final Router router;
    final WillPublisher wills;
    final StateLimits limits;
    final SessionRegistry registry;
    final BanList bans;
    final FlappingDetector flapping;
    final Traffic traffic = new Traffic();
    private volatile BrokerSettings settings;

    CoreParts(BrokerSettings settings, SessionStore store, io.meridianmq.storage.RetainedMessageStore retainedStore,
            PluginHost plugins, BrokerEvents events, MetricsRegistry metrics, CoreThreads threads) {
        this.settings = settings;
        this.cluster = new ClusterLink(this);
        this.replicating = new ReplicatingStore(store, cluster);
        this.store = replicating;
        this.durable = store.durable();
        this.plugins = plugins;
        this.events = events;
        this.threads = threads;
        this.routes = new AnnouncedRoutes(cluster);
        this.retained = new RetainedMessages(retainedStore, threads);
        this.router = new Router(routes, retained, threads, sequences, traffic, cluster, replicating);
        this.wills = new WillPublisher(plugins, router);
        this.limits = new StateLimits(this::settings, retained, metrics);
        this.registry = new LocalSessionRegistry(this);
        this.bans = new BanList(bansFile(), registry, java.time.Clock.systemUTC());
        this.flapping = new FlappingDetector(() -> this.settings.flapping(), bans, java.time.Clock.systemUTC());
        threads.every(this.flapping::forgetQuiet, 30, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** {@code data/meridian/bans.properties} in the container; in memory only outside one (tests). */
    private static java.nio.file.Path bansFile() {
        String data = System.getProperty("karaf.data");
        return data == null ? null : java.nio.file.Path.of(data, "meridian", "bans.properties");
    }

    /** The store as routing and acknowledgements use it: per batch, in a cluster too. */
    ReplicatingStore replicatingStore() {
        return replicating;
    }

    void settings(BrokerSettings changed) {
        settings = changed;
    }

    // ---- as a session's context ----

    @Override
    public BrokerSettings settings() {
        return settings;
    }

    @Override
    public SessionStore store() {
        return store;
    }

    @Override
    public boolean durable() {
        return durable;
    }

    @Override
    public long nextSequence() {
        return sequences.incrementAndGet();
    }

    @Override
    public Executor offlineExecutor(String clientId) {
        return threads.offlineExecutor(clientId);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return threads.schedule(task, delay, unit);
    }

    @Override
    public RouteTable routes() {
        return routes;
    }

    @Override
    public void expired(Session session) {
        registry.expire(session);
    }

    @Override
    public void publishWill(ClientIdentity owner, WillMessage will) {
        wills.publish(owner, will);
    }

    @Override
    public void redeliverShared(Delivery delivery, Session leaving) {
        router.redeliverShared(delivery, leaving);
    }

    @Override
    public boolean authorizesDeliveries() {
        return plugins.authorizesDeliveries();
    }

    @Override
    public CompletionStage<PluginOutputs.Authorization> authorizeDelivery(ClientInfo subscriber, String topic,
            int qos) {
        return plugins.authorizeDelivery(subscriber, topic, qos);
    }

    @Override
    public boolean interceptsDeliveries() {
        return plugins.hasOutboundInterceptors();
    }

    @Override
    public CompletionStage<PluginOutputs.PublishOutbound> interceptDelivery(ClientInfo subscriber,
            PluginOutputs.Publish copy) {
        return plugins.interceptOutbound(subscriber, copy);
    }

    @Override
    public void dropped(ClientIdentity who, String topic, DropReason reason, String why) {
        traffic.dropped(reason);
        if (who != null) {
            events.messageDropped(who, topic, why);
        }
    }

    @Override
    public Traffic traffic() {
        return traffic;
    }
}
