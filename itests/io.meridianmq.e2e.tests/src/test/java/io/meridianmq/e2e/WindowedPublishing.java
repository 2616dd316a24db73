package io.meridianmq.e2e;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The benchmarks' publishing: a Paho 3.1.1 asynchronous client keeping a fixed number of QoS 1
 * messages in flight (a window), so that the rate measured is what the broker acknowledges.
 */
final class WindowedPublishing {

    private WindowedPublishing() {
    }

    /** A clean-session Paho client on {@code uri} with room for {@code window} * 10 messages in flight. */
    static MqttAsyncClient client(String uri, int window) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(uri, "bench-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(window * 10);
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    /**
     * Publishes {@code count} QoS 1 messages with at most {@code window} unacknowledged, and
     * returns once all are acknowledged; fails when any publish failed (a broker that loses
     * messages gets no figure).
     */
    static void publish(MqttAsyncClient client, String topic, byte[] payload, int count, int window) {
        Semaphore room = new Semaphore(window);
        AtomicInteger failed = new AtomicInteger();
        IMqttActionListener release = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                room.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                failed.incrementAndGet();
                room.release();
            }
        };
        try {
            for (int i = 0; i < count; i++) {
                room.acquire();
                client.publish(topic, payload, 1, false, null, release);
            }
            room.acquire(window);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " publishes failed: a broker that loses messages gets no "
                    + "figure");
        }
    }
}
