package io.meridianmq.broker.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.event.BrokerEventListener;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands lifecycle events to {@link BrokerEventListener} plugins on one event thread, in order,
 * through a bounded queue: a slow listener delays events, never clients; past the bound events
 * are dropped and counted. Nothing is queued while no listener is registered.
 */
final class BrokerEvents {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerEvents.class);
    private static final int QUEUE = 100_000;

    final PluginChain<BrokerEventListener> listeners = new PluginChain<>();
    private final AtomicLong dropped = new AtomicLong();
    private ThreadPoolExecutor thread;

    void start() {
        thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "meridian-events");
            t.setDaemon(true);
            return t;
        }, (r, executor) -> {
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 10_000 == 0) {
                LOG.warn("Event listeners cannot keep up: {} event(s) dropped so far", n);
            }
        });
    }

    void stop() {
        if (thread != null) {
            thread.shutdown();
        }
    }

    private void fire(String what, Consumer<BrokerEventListener> call) {
        if (listeners.isEmpty() || thread == null) {
            return;
        }
        thread.execute(() -> {
            for (Plugin<BrokerEventListener> p : listeners.all()) {
                if (!p.isEnabled()) {
                    continue;
                }
                try {
                    call.accept(p.service);
                    p.succeeded();
                } catch (RuntimeException e) {
                    LOG.error("Event listener {} failed on {}: {}", p, what, e.toString());
                    p.failed(e.toString());
                }
            }
        });
    }

    void clientConnected(ClientInfo c) {
        fire("clientConnected", l -> l.clientConnected(c));
    }

    void authenticationFailed(ClientInfo c, String reason) {
        fire("authenticationFailed", l -> l.authenticationFailed(c, reason));
    }

    void subscribed(ClientInfo c, String filter, int qos) {
        fire("subscribed", l -> l.subscribed(c, filter, qos));
    }

    void unsubscribed(ClientInfo c, String filter) {
        fire("unsubscribed", l -> l.unsubscribed(c, filter));
    }

    void clientDisconnected(ClientInfo c, String reason) {
        fire("clientDisconnected", l -> l.clientDisconnected(c, reason));
    }

    void messageDropped(ClientInfo c, String topic, String why) {
        fire("messageDropped", l -> l.messageDropped(c, topic, why));
    }
}
