package io.meridianmq.broker.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.service.PluginSession;
import io.meridianmq.sdk.service.PluginSessionReceiver;
import io.meridianmq.sdk.service.ReceivedMessage;
import io.meridianmq.sdk.topic.Topics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plugin's session (SDK {@link PluginSession}) and the connection it is attached to, in one:
 * what the core sends the connection goes to the plugin's receiver, and the plugin's calls go to
 * the session as a client's packets would, on the connection's thread (an offline executor of the
 * core, so the session's own tasks and these calls take turns).
 *
 * <p>Thread-safe: the plugin calls from any thread; everything it asks runs on {@link #executor}.
 */
final class PluginSessionLink implements ClientConnection, PluginSession {

    private static final Logger LOG = LoggerFactory.getLogger(PluginSessionLink.class);

    private final String clientId;
    private final PluginSessionReceiver receiver;
    private final Executor executor;
    private final int maxQueuedMessages;
    /** Set once the core accepted the connection (before any plugin call can reach it). */
    private volatile ClientSession session;
    private volatile boolean resumed;
    /** Packet ids of this session's publishes; only touched on {@link #executor}. */
    private int lastPacketId;
    private final AtomicBoolean closed = new AtomicBoolean();

    PluginSessionLink(String clientId, PluginSessionReceiver receiver, Executor executor, int maxQueuedMessages) {
        this.clientId = clientId;
        this.receiver = receiver;
        this.executor = executor;
        this.maxQueuedMessages = maxQueuedMessages;
    }

    /** The bound of the session's queue the plugin asked for, or 0 for the broker's. */
    int maxQueuedMessages() {
        return maxQueuedMessages;
    }

    /** The core accepted the connection: the plugin may use the session from now on. */
    void accepted(ClientSession accepted, boolean present) {
        this.session = accepted;
        this.resumed = present;
    }

    // ---- the connection the core sends to ----

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public boolean sendPublish(OutboundPublish publish) {
        try {
            receiver.message(new Given(publish));
        } catch (RuntimeException e) {
            // the message stays unacknowledged: the session gives it again at its next opening
            LOG.error("Plugin session '{}': its receiver failed on a message to '{}': {}", clientId, publish.topic(),
                    e.toString());
        }
        return true;
    }

    @Override
    public void sendPubrel(int packetId) {
        session.complete(packetId); // the plugin took the message: its PUBCOMP comes at once
    }

    @Override
    public void flush() {
    }

    @Override
    public void close(DisconnectReason reason, String detail) {
        if (closed.compareAndSet(false, true)) {
            LOG.info("Plugin session '{}' closed by the broker: {}", clientId, detail);
            executor.execute(() -> session.disconnected(false));
            try {
                receiver.closed(detail);
            } catch (RuntimeException e) {
                LOG.warn("Plugin session '{}': its receiver failed on the close: {}", clientId, e.toString());
            }
        }
    }

    // ---- the session the plugin uses ----

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public boolean resumed() {
        return resumed;
    }

    @Override
    public CompletionStage<Integer> subscribe(String topicFilter, int qos, boolean noLocal,
            boolean retainAsPublished) {
        CompletableFuture<Integer> granted = new CompletableFuture<>();
        run(granted, () -> session.subscribe(List.of(new TopicSubscription(topicFilter, qos, noLocal,
                retainAsPublished, 0, 0)), codes -> granted.complete(codes[0])));
        return granted;
    }

    @Override
    public CompletionStage<Void> unsubscribe(String topicFilter) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(done, () -> session.unsubscribe(List.of(topicFilter), codes -> done.complete(null)));
        return done;
    }

    @Override
    public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retain,
            PublishProperties properties) {
        CompletableFuture<Void> taken = new CompletableFuture<>();
        if (!Topics.isValidTopicName(topic)) {
            taken.completeExceptionally(new IllegalArgumentException("not a valid topic name: '" + topic + "'"));
            return taken;
        }
        if (qos < 0 || qos > 2) {
            taken.completeExceptionally(new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos));
            return taken;
        }
        byte[] copy = payload.clone();
        run(taken, () -> {
            int packetId = qos == 0 ? 0 : nextPacketId();
            session.publish(new InboundPublish(packetId, topic, copy, qos, retain, -1, properties), code -> {
                if (code >= 0x80) {
                    taken.completeExceptionally(new IllegalStateException("the broker did not take the message to '"
                            + topic + "' (reason 0x" + Integer.toHexString(code) + ")"));
                } else if (qos == 2) {
                    executor.execute(() -> session.release(packetId, released -> taken.complete(null)));
                } else {
                    taken.complete(null);
                }
            });
        });
        return taken;
    }

    private int nextPacketId() {
        lastPacketId = lastPacketId == 0xFFFF ? 1 : lastPacketId + 1;
        return lastPacketId;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            executor.execute(() -> session.disconnected(false));
        }
    }

    /** Runs a plugin's request on the session's thread, unless the session is closed. */
    private void run(CompletableFuture<?> result, Runnable request) {
        if (closed.get()) {
            result.completeExceptionally(new IllegalStateException("plugin session '" + clientId + "' is closed"));
            return;
        }
        executor.execute(() -> {
            try {
                request.run();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
    }

    /** A message given to the plugin; its acknowledgement goes to the session as PUBACK or PUBREC. */
    private final class Given implements ReceivedMessage {
        private final OutboundPublish publish;
        private final AtomicBoolean acknowledged = new AtomicBoolean();

        Given(OutboundPublish publish) {
            this.publish = publish;
        }

        @Override
        public String topic() {
            return publish.topic();
        }

        @Override
        public byte[] payload() {
            return publish.payload().clone();
        }

        @Override
        public int qos() {
            return publish.qos();
        }

        @Override
        public boolean retain() {
            return publish.retain();
        }

        @Override
        public boolean duplicate() {
            return publish.dup();
        }

        @Override
        public PublishProperties properties() {
            return publish.properties();
        }

        @Override
        public void acknowledge() {
            if (publish.qos() == 0 || !acknowledged.compareAndSet(false, true) || closed.get()) {
                return;
            }
            int packetId = publish.packetId();
            executor.execute(() -> {
                if (publish.qos() == 1) {
                    session.acknowledge(packetId);
                } else {
                    session.received(packetId);
                }
            });
        }
    }
}
