package io.meridianmq.bridge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLSocketFactory;

import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.sdk.service.PluginSession;
import io.meridianmq.sdk.service.PluginSessionReceiver;
import io.meridianmq.sdk.service.ReceivedMessage;
import io.meridianmq.sdk.topic.Topics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge to a remote broker. Out: a persistent plugin session subscribes to the local side of
 * each {@code out} topic (no-local, so what the bridge brought in never goes back); each message it
 * gets goes to the remote broker, in order, and is acknowledged to the session only once the
 * remote acknowledged it, so that while the remote is away the messages wait in the session's
 * queue in the broker's store (bounded by the broker's queue limits) and nothing is lost across
 * a restart of either side. In: the bridge subscribes on the remote broker to the remote side of
 * each {@code in} topic and answers the remote only once this broker took the message.
 * Connection lost or refused: it connects again after {@code restart_timeout}, doubling up to its
 * cap, going round the addresses.
 *
 * <p>Threading: its state is owned by its own thread ({@link #thread}); the plugin session and the
 * MQTT client call in from theirs and hand over to it.
 */
final class MqttBridge implements PluginSessionReceiver, RemoteConnection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(MqttBridge.class);

    private final BridgeSettings settings;
    private final BrokerServices broker;
    private final ScheduledExecutorService thread;
    private final SSLSocketFactory tls;
    private final EchoGuard echoes;

    // ---- owned by the bridge's thread ----
    private PluginSession local;
    private RemoteConnection remote;
    private boolean connected;
    private boolean stopped;
    private int failures;
    private int nextAddress;
    /** Messages from the local session not yet sent on the current connection, oldest first. */
    private final ArrayDeque<ReceivedMessage> unsent = new ArrayDeque<>();
    /** Messages sent on the current connection and not yet acknowledged by the remote, in the order sent. */
    private final LinkedHashSet<ReceivedMessage> inflight = new LinkedHashSet<>();

    // ---- figures, any thread ----
    private final AtomicLong sentOut = new AtomicLong();
    private final AtomicLong receivedIn = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean up;
    private volatile int waiting;

    /** Told each change of the bridge's state: up, or down with why (for the broker's health). */
    private final java.util.function.BiConsumer<Boolean, String> onState;

    MqttBridge(BridgeSettings settings, BrokerServices broker, java.util.function.BiConsumer<Boolean, String> onState) {
        this.settings = settings;
        this.broker = broker;
        this.onState = onState;
        this.tls = settings.tls() == null ? null : PemTls.socketFactory(settings.tls());
        this.echoes = settings.protocolVersion() < 5 && settings.tryPrivate() ? new EchoGuard() : null;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-bridge-" + settings.name());
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        LOG.info("Bridge '{}' starting: {}", settings.name(), settings.describe());
        onState.accept(false, "connecting to " + String.join(", ", settings.addresses()));
        thread.execute(this::openLocal);
    }

    void stop() {
        try {
            thread.submit(() -> {
                stopped = true;
                RemoteConnection r = remote;
                remote = null;
                if (r != null) {
                    if (connected && settings.notifications()) {
                        r.publish(settings.notificationTopic(), bytes("0"), 1, true, PublishProperties.NONE);
                    }
                    r.close();
                }
                connected = false;
                notifyLocal(false);
                if (local != null) {
                    local.close(); // the session stays: what arrives meanwhile waits for the next start
                    local = null;
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Bridge '{}' did not stop cleanly: {}", settings.name(), e.toString());
        }
        thread.shutdownNow();
        LOG.info("Bridge '{}' stopped", settings.name());
    }

    boolean connected() {
        return up;
    }

    long sent() {
        return sentOut.get();
    }

    long received() {
        return receivedIn.get();
    }

    long refusedByRemote() {
        return refused.get();
    }

    /** Messages waiting to go out (unsent and unacknowledged). */
    int waiting() {
        return waiting;
    }

    String name() {
        return settings.name();
    }

    // ---- the local side ----

    private void openLocal() {
        if (stopped) {
            return;
        }
        broker.openSession(settings.localClientId(), 0xFFFF_FFFFL, settings.maxInflight(), settings.maxQueued(), this)
                .thenCompose(session -> subscribeLocal(session).thenApply(v -> session))
                .whenComplete((session, failure) -> thread.execute(() -> {
                    if (failure != null) {
                        LOG.error("Bridge '{}': its session in this broker could not be opened: {}", settings.name(),
                                rootMessage(failure));
                        thread.schedule(this::openLocal, settings.restartCap().toSeconds(), TimeUnit.SECONDS);
                        return;
                    }
                    if (stopped) {
                        session.close();
                        return;
                    }
                    local = session;
                    connect();
                }));
    }

    private CompletionStage<Void> subscribeLocal(PluginSession session) {
        CompletionStage<Void> all = java.util.concurrent.CompletableFuture.completedFuture(null);
        for (TopicMapping t : settings.topics()) {
            if (t.out()) {
                all = all.thenCompose(v -> session.subscribe(t.localFilter(), t.qos(), true, true).thenAccept(granted -> {
                    if (granted >= 0x80) {
                        throw new IllegalStateException("the subscription to '" + t.localFilter() + "' was refused");
                    }
                }));
            }
        }
        return all;
    }

    @Override
    public void message(ReceivedMessage message) {
        thread.execute(() -> {
            unsent.add(message);
            waiting = unsent.size() + inflight.size();
            if (connected) {
                sendUnsent();
            }
        });
    }

    @Override
    public void closed(String reason) {
        thread.execute(() -> {
            if (!stopped) {
                LOG.warn("Bridge '{}': the broker closed its session ({}); opening it again", settings.name(), reason);
                local = null;
                unsent.clear(); // given again by the session when it opens
                inflight.clear();
                thread.schedule(this::openLocal, settings.restartBase().toSeconds(), TimeUnit.SECONDS);
            }
        });
    }

    private void sendUnsent() {
        while (connected && !unsent.isEmpty()) {
            send(unsent.poll());
        }
        waiting = unsent.size() + inflight.size();
    }

    private void send(ReceivedMessage m) {
        String topic = toRemote(m.topic());
        if (topic == null) {
            m.acknowledge(); // matched no out topic any more (the settings changed): not ours to send
            return;
        }
        byte[] payload = m.payload();
        RemoteConnection via = remote;
        inflight.add(m);
        if (echoes != null) {
            echoes.sent(topic, payload, System.currentTimeMillis());
        }
        via.publish(topic, payload, m.qos(), m.retain(), m.properties()).whenComplete((v, failure) -> thread.execute(() -> {
            if (via != remote) {
                // the connection went meanwhile and the message waits in unsent again: if the remote took it anyway, done
                if (failure == null && unsent.remove(m)) {
                    m.acknowledge();
                    sentOut.incrementAndGet();
                }
                return;
            }
            if (!inflight.remove(m)) {
                return;
            }
            if (failure == null) {
                m.acknowledge();
                sentOut.incrementAndGet();
            } else if (connected && failure instanceof IllegalStateException) {
                // the remote answered with a refusal: sending it again would be refused again
                refused.incrementAndGet();
                LOG.warn("Bridge '{}': the remote broker refused the message to '{}': {}; dropped", settings.name(),
                        topic, failure.getMessage());
                m.acknowledge();
            } else {
                unsent.addFirst(m); // not sent: again after the connection comes back
            }
            waiting = unsent.size() + inflight.size();
        }));
    }

    private String toRemote(String localTopic) {
        for (TopicMapping t : settings.topics()) {
            if (t.out() && Topics.matches(t.localFilter(), localTopic)) {
                return t.toRemote(localTopic);
            }
        }
        return null;
    }

    private String toLocal(String remoteTopic) {
        for (TopicMapping t : settings.topics()) {
            if (t.in() && Topics.matches(t.remoteFilter(), remoteTopic)) {
                return t.toLocal(remoteTopic);
            }
        }
        return null;
    }

    // ---- the remote side ----

    private void connect() {
        if (stopped || local == null) {
            return;
        }
        String address = settings.addresses().get(nextAddress % settings.addresses().size());
        RemoteConnection c;
        try {
            c = settings.protocolVersion() == 5 ? new PahoV5Connection(settings, address, tls, this)
                    : new PahoV3Connection(settings, address, tls, this);
        } catch (Exception e) {
            retryAfterFailure(address, rootMessage(e));
            return;
        }
        remote = c;
        c.connect().thenCompose(v -> subscribeRemote(c)).whenComplete((v, failure) -> thread.execute(() -> {
            if (c != remote) {
                c.close();
                return;
            }
            if (failure != null) {
                c.close();
                remote = null;
                retryAfterFailure(address, rootMessage(failure));
                return;
            }
            connected = true;
            up = true;
            failures = 0;
            onState.accept(true, null);
            LOG.info("Bridge '{}' connected to {} ({} message(s) waiting to go out)", settings.name(), address,
                    unsent.size());
            if (settings.notifications()) {
                c.publish(settings.notificationTopic(), bytes("1"), 1, true, PublishProperties.NONE);
                notifyLocal(true);
            }
            sendUnsent();
        }));
    }

    private CompletionStage<Void> subscribeRemote(RemoteConnection c) {
        CompletionStage<Void> all = java.util.concurrent.CompletableFuture.completedFuture(null);
        for (TopicMapping t : settings.topics()) {
            if (t.in()) {
                all = all.thenCompose(v -> c.subscribe(t.remoteFilter(), t.qos(), settings.tryPrivate()));
            }
        }
        return all;
    }

    private void retryAfterFailure(String address, String why) {
        failures++;
        nextAddress++;
        long base = settings.restartBase().toMillis();
        long delay = Math.min(settings.restartCap().toMillis(), base << Math.min(failures - 1, 20));
        LOG.warn("Bridge '{}': connection to {} failed: {}; trying again in {} ms", settings.name(), address, why,
                delay);
        onState.accept(false, "connection to " + address + " failed: " + why + " (" + unsent.size()
                + " message(s) waiting here, more in the queue)");
        thread.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void lost(String why) {
        thread.execute(() -> {
            if (stopped || remote == null) {
                return;
            }
            LOG.warn("Bridge '{}': connection to the remote broker lost: {}", settings.name(), why);
            remote.close();
            remote = null;
            connected = false;
            up = false;
            notifyLocal(false);
            // what was in flight goes again, first and in order, once connected
            List<ReceivedMessage> again = new ArrayList<>(inflight);
            inflight.clear();
            for (int i = again.size() - 1; i >= 0; i--) {
                unsent.addFirst(again.get(i));
            }
            retryAfterFailure(settings.addresses().get(nextAddress % settings.addresses().size()), why);
        });
    }

    @Override
    public void arrived(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties,
            Runnable acknowledge) {
        if (echoes != null && echoes.isEcho(topic, payload, System.currentTimeMillis())) {
            acknowledge.run(); // our own message coming back from an MQTT 3.1.1 remote
            return;
        }
        String localTopic = toLocal(topic);
        PluginSession session = local;
        if (localTopic == null || session == null) {
            acknowledge.run();
            return;
        }
        session.publish(localTopic, payload, qos, retain, properties).whenComplete((v, failure) -> {
            if (failure == null) {
                receivedIn.incrementAndGet();
                acknowledge.run();
            } else {
                // unanswered, the remote broker sends it again when the bridge connects again
                LOG.warn("Bridge '{}': the message from '{}' could not be taken here ({}); reconnecting to get it again",
                        settings.name(), topic, rootMessage(failure));
                lost("a message could not be taken here");
            }
        });
    }

    private void notifyLocal(boolean state) {
        if (settings.notifications()) {
            up = state;
            broker.publish(settings.notificationTopic(), bytes(state ? "1" : "0"), 1, true, PublishProperties.NONE);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
